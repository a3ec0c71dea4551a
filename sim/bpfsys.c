/*
 * bpfsys.c - maps, program loading and tcx attachment through bpf() (bpfsys.h).
 */
#include "bpfsys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(BPF_LSM_CGROUP == 43, "enum bpf_attach_type numbered as the kernel does");

enum { LOG_SIZE = 16384 };

/* The programs are ours and the helpers they call are not GPL-only. */
static const char prog_license[] = "aoekit";

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int bpfsys_map_create(uint32_t type, uint32_t key_size, uint32_t value_size,
		      unsigned max_entries, const char *name)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	snprintf(attr.map_name, sizeof(attr.map_name), "%s", name);
	return (int)sys_bpf(BPF_MAP_CREATE, &attr);
}

static int map_op(int cmd, int map_fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)map_fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = flags;
	return sys_bpf(cmd, &attr) < 0 ? -1 : 0;
}

int bpfsys_map_update(int map_fd, const void *key, const void *value)
{
	return map_op(BPF_MAP_UPDATE_ELEM, map_fd, key, value, BPF_ANY);
}

int bpfsys_map_lookup(int map_fd, const void *key, void *value)
{
	return map_op(BPF_MAP_LOOKUP_ELEM, map_fd, key, value, 0);
}

int bpfsys_map_delete(int map_fd, const void *key)
{
	return map_op(BPF_MAP_DELETE_ELEM, map_fd, key, NULL, 0);
}

void bpf_emit(struct bpf_code *c, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	/* Programs are built from fixed sequences far below the limit; overflowing is a bug. */
	if (c->n >= BPF_CODE_MAX) {
		c->overflow++;
		return;
	}
	c->insn[c->n++] = (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
	};
}

void bpf_emit_imm64(struct bpf_code *c, int reg, uint64_t value)
{
	bpf_emit(c, BPF_LD | BPF_DW | BPF_IMM, (uint8_t)reg, 0, 0, (int32_t)(uint32_t)value);
	bpf_emit(c, 0, 0, 0, 0, (int32_t)(uint32_t)(value >> 32));
}

void bpf_emit_map_fd(struct bpf_code *c, int reg, int map_fd)
{
	bpf_emit(c, BPF_LD | BPF_DW | BPF_IMM, (uint8_t)reg, BPF_PSEUDO_MAP_FD, 0, map_fd);
	bpf_emit(c, 0, 0, 0, 0, 0);
}

static int load(const struct bpf_code *c, const char *name, char *log, uint32_t log_size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	attr.insns = (uint64_t)(uintptr_t)c->insn;
	attr.insn_cnt = (uint32_t)c->n;
	attr.license = (uint64_t)(uintptr_t)prog_license;
	if (log) {
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = log_size;
		attr.log_level = 1;
	}
	snprintf(attr.prog_name, sizeof(attr.prog_name), "%s", name);
	return (int)sys_bpf(BPF_PROG_LOAD, &attr);
}

int bpfsys_prog_load(const struct bpf_code *c, const char *name, char *err, size_t err_len)
{
	static char log[LOG_SIZE];
	if (c->overflow) {
		snprintf(err, err_len, "program longer than %d instructions", BPF_CODE_MAX);
		errno = E2BIG;
		return -1;
	}
	int fd = load(c, name, NULL, 0);
	if (fd >= 0)
		return fd;
	int saved = errno;
	/* Again with the verifier's log, to say why. */
	log[0] = '\0';
	if (load(c, name, log, sizeof(log)) < 0 && log[0]) {
		size_t len = strlen(log);
		while (len > 0 && log[len - 1] == '\n')
			log[--len] = '\0';
		const char *last = strrchr(log, '\n');
		snprintf(err, err_len, "%s (%s)", strerror(saved), last ? last + 1 : log);
	} else {
		snprintf(err, err_len, "%s", strerror(saved));
	}
	errno = saved;
	return -1;
}

int bpfsys_attach_tcx(int prog_fd, uint32_t ifindex, uint32_t attach_type)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = (uint32_t)prog_fd;
	attr.link_create.target_ifindex = ifindex;
	attr.link_create.attach_type = attach_type;
	return (int)sys_bpf(BPF_LINK_CREATE, &attr);
}
