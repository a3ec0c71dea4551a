/*
 * fastbpf.c - the fast path's map, program and attachment (fastbpf.h).
 */
#include "fastbpf.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * tcx (Linux 6.6) is newer than the kernel headers of the Debian release we
 * build on; the attach type keeps its number in every kernel that has it.
 */
enum { ATTACH_TCX_INGRESS = 46 };
_Static_assert(BPF_LSM_CGROUP == 43, "enum bpf_attach_type numbered as the kernel does");

enum { PROG_MAX = 48, LOG_SIZE = 16384 };

/* The program is ours and the helpers it calls are not GPL-only. */
static const char prog_license[] = "aoekit";

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int map_create(uint32_t type, uint32_t key_size, uint32_t value_size,
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

int fastbpf_map_create(unsigned max_entries)
{
	return map_create(BPF_MAP_TYPE_HASH, sizeof(struct fast_key), sizeof(struct fast_dest),
			  max_entries, "aoesim_hosts");
}

int fastbpf_count_create(unsigned max_entries)
{
	return map_create(BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct fast_count),
			  max_entries, "aoesim_counts");
}

static int map_op(int cmd, int map_fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)map_fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = flags;
	return sys_bpf(cmd, &attr) < 0 ? -1 : 0;
}

int fastbpf_map_set(int map_fd, const struct fast_key *key, const struct fast_dest *dest)
{
	struct fast_dest copy = *dest;
	return map_op(BPF_MAP_UPDATE_ELEM, map_fd, key, &copy, BPF_ANY);
}

int fastbpf_count_get(int count_fd, uint32_t slot, struct fast_count *count)
{
	return map_op(BPF_MAP_LOOKUP_ELEM, count_fd, &slot, count, 0);
}

int fastbpf_map_delete(int map_fd, const struct fast_key *key)
{
	return map_op(BPF_MAP_DELETE_ELEM, map_fd, key, NULL, 0);
}

struct prog {
	struct bpf_insn insn[PROG_MAX];
	int n;
	int to_slow[8];     /* jumps to patch to the slow path */
	int nslow;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	p->insn[p->n++] = (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
	};
}

/* A conditional jump to the slow path, patched once that is placed. */
static void jump_slow(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int32_t imm)
{
	p->to_slow[p->nslow++] = p->n;
	emit(p, BPF_JMP | code, dst, src, 0, imm);
}

#define SKB_FIELD(f) ((int16_t)offsetof(struct __sk_buff, f))
#define DEST_FIELD(f) ((int16_t)offsetof(struct fast_dest, f))

static void emit_map_fd(struct prog *p, int reg, int map_fd)
{
	emit(p, BPF_LD | BPF_DW | BPF_IMM, (uint8_t)reg, BPF_PSEUDO_MAP_FD, 0, map_fd);
	emit(p, 0, 0, 0, 0, 0);
}

/* Key on the stack from the frame's destination: look it up, r0 = entry or 0. */
static void emit_lookup(struct prog *p, int map_fd)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_6, SKB_FIELD(data), 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_6, SKB_FIELD(data_end), 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, 6);
	jump_slow(p, BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 0);  /* shorter than a MAC */
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_2, 0, 0);
	emit(p, BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_REG_5, -8, 0);
	emit(p, BPF_LDX | BPF_MEM | BPF_H, BPF_REG_5, BPF_REG_2, 4, 0);
	emit(p, BPF_STX | BPF_MEM | BPF_H, BPF_REG_10, BPF_REG_5, -4, 0);
	emit(p, BPF_ST | BPF_MEM | BPF_H, BPF_REG_10, 0, -2, 0);
	emit_map_fd(p, BPF_REG_1, map_fd);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -8);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
}

/* Count the frame in the destination's slot (r0: its entry); r0, r1-r5 are lost. */
static void emit_count(struct prog *p, int count_fd)
{
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_0, DEST_FIELD(slot), 0);
	emit(p, BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_REG_1, -12, 0);
	emit_map_fd(p, BPF_REG_1, count_fd);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -12);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	/* An array's slot is always there; the verifier wants the check all the same. */
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 4, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1);
	emit(p, BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_6, SKB_FIELD(len), 0);
	emit(p, BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 8, BPF_ADD);
}

static void build(struct prog *p, int map_fd, int count_fd, uint32_t own_ifindex, uint32_t mtu,
		  uint32_t slow_ifindex)
{
	memset(p, 0, sizeof(*p));
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);  /* r6 = skb */
	emit_lookup(p, map_fd);
	jump_slow(p, BPF_JEQ | BPF_K, BPF_REG_0, 0, 0);                 /* not a known host */
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_0, DEST_FIELD(mtu), 0);
	jump_slow(p, BPF_JNE | BPF_K, BPF_REG_1, 0, (int32_t)mtu);      /* another MTU */
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_0, DEST_FIELD(mtu_now), 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, 14);
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_6, SKB_FIELD(len), 0);
	jump_slow(p, BPF_JGT | BPF_X, BPF_REG_2, BPF_REG_1, 0);         /* too long for it now */
	emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_7, BPF_REG_0, DEST_FIELD(ifindex), 0);
	jump_slow(p, BPF_JEQ | BPF_K, BPF_REG_7, 0, (int32_t)own_ifindex); /* to itself: filter */
	emit_count(p, count_fd);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_7, 0, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_peer);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	int slow = p->n;
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, (int32_t)slow_ifindex);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (int i = 0; i < p->nslow; i++)
		p->insn[p->to_slow[i]].off = (int16_t)(slow - (p->to_slow[i] + 1));
}

static int load(const struct prog *p, char *log, uint32_t log_size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	attr.insns = (uint64_t)(uintptr_t)p->insn;
	attr.insn_cnt = (uint32_t)p->n;
	attr.license = (uint64_t)(uintptr_t)prog_license;
	if (log) {
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = log_size;
		attr.log_level = 1;
	}
	snprintf(attr.prog_name, sizeof(attr.prog_name), "aoesim_fwd");
	return (int)sys_bpf(BPF_PROG_LOAD, &attr);
}

int fastbpf_prog_load(int map_fd, int count_fd, uint32_t own_ifindex, uint32_t mtu,
		      uint32_t slow_ifindex, char *err, size_t err_len)
{
	static struct prog p;
	static char log[LOG_SIZE];
	build(&p, map_fd, count_fd, own_ifindex, mtu, slow_ifindex);
	int fd = load(&p, NULL, 0);
	if (fd >= 0)
		return fd;
	int saved = errno;
	/* Again with the verifier's log, to say why. */
	log[0] = '\0';
	if (load(&p, log, sizeof(log)) < 0 && log[0]) {
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

int fastbpf_attach_ingress(int prog_fd, uint32_t ifindex)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = (uint32_t)prog_fd;
	attr.link_create.target_ifindex = ifindex;
	attr.link_create.attach_type = ATTACH_TCX_INGRESS;
	return (int)sys_bpf(BPF_LINK_CREATE, &attr);
}
