/*
 * bpfsys.h - what aoe-sim's BPF programs need from the kernel, through the
 * bpf() system call alone (no libbpf, no compiler): maps, a buffer of
 * instructions to build a program in, loading it (with the verifier's
 * complaint when it refuses), and attaching it to an interface (tcx).
 */
#ifndef AOESIM_BPFSYS_H
#define AOESIM_BPFSYS_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

/*
 * tcx (Linux 6.6) is newer than the kernel headers of the Debian release we
 * build on; the attach types keep their numbers in every kernel that has them.
 */
enum { BPFSYS_TCX_INGRESS = 46, BPFSYS_TCX_EGRESS = 47 };

/* What a tcx program returns: on to the next program (or the stack), or drop. */
enum { BPFSYS_TCX_NEXT = -1, BPFSYS_TCX_DROP = 2 };

enum { BPF_CODE_MAX = 64 };

struct bpf_code {
	struct bpf_insn insn[BPF_CODE_MAX];
	int n;
	int overflow;   /* instructions that did not fit: loading then fails */
};

/* A map; its fd, or -1 with errno. */
int bpfsys_map_create(uint32_t type, uint32_t key_size, uint32_t value_size,
		      unsigned max_entries, const char *name);
int bpfsys_map_update(int map_fd, const void *key, const void *value);
int bpfsys_map_lookup(int map_fd, const void *key, void *value);
int bpfsys_map_delete(int map_fd, const void *key);

void bpf_emit(struct bpf_code *c, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm);
/* reg = a 64-bit constant, or the address of a map (two instructions each). */
void bpf_emit_imm64(struct bpf_code *c, int reg, uint64_t value);
void bpf_emit_map_fd(struct bpf_code *c, int reg, int map_fd);

/*
 * Load a program for tc/tcx (BPF_PROG_TYPE_SCHED_CLS).  Returns its fd, or -1
 * with the verifier's last complaint (or strerror) in err and errno kept.
 */
int bpfsys_prog_load(const struct bpf_code *c, const char *name, char *err, size_t err_len);

/* Attach a program to ifindex (attach_type BPFSYS_TCX_*); the link's fd, or -1 with errno. */
int bpfsys_attach_tcx(int prog_fd, uint32_t ifindex, uint32_t attach_type);

#endif
