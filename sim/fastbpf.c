/*
 * fastbpf.c - the fast path's map, program and attachment (fastbpf.h).
 */
#include "fastbpf.h"

#include <string.h>

#include "bpfsys.h"

int fastbpf_map_create(unsigned max_entries)
{
	return bpfsys_map_create(BPF_MAP_TYPE_HASH, sizeof(struct fast_key),
				 sizeof(struct fast_dest), max_entries, "aoesim_hosts");
}

int fastbpf_count_create(unsigned max_entries)
{
	return bpfsys_map_create(BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct fast_count),
				 max_entries, "aoesim_counts");
}

int fastbpf_map_set(int map_fd, const struct fast_key *key, const struct fast_dest *dest)
{
	return bpfsys_map_update(map_fd, key, dest);
}

int fastbpf_count_get(int count_fd, uint32_t slot, struct fast_count *count)
{
	return bpfsys_map_lookup(count_fd, &slot, count);
}

int fastbpf_map_delete(int map_fd, const struct fast_key *key)
{
	return bpfsys_map_delete(map_fd, key);
}

struct prog {
	struct bpf_code code;
	int to_slow[8];     /* jumps to patch to the slow path */
	int nslow;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	bpf_emit(&p->code, code, dst, src, off, imm);
}

/* A conditional jump to the slow path, patched once that is placed. */
static void jump_slow(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int32_t imm)
{
	p->to_slow[p->nslow++] = p->code.n;
	emit(p, BPF_JMP | code, dst, src, 0, imm);
}

#define SKB_FIELD(f) ((int16_t)offsetof(struct __sk_buff, f))
#define DEST_FIELD(f) ((int16_t)offsetof(struct fast_dest, f))

static void emit_map_fd(struct prog *p, int reg, int map_fd)
{
	bpf_emit_map_fd(&p->code, reg, map_fd);
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
	int slow = p->code.n;
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, (int32_t)slow_ifindex);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (int i = 0; i < p->nslow; i++)
		p->code.insn[p->to_slow[i]].off = (int16_t)(slow - (p->to_slow[i] + 1));
}

int fastbpf_prog_load(int map_fd, int count_fd, uint32_t own_ifindex, uint32_t mtu,
		      uint32_t slow_ifindex, char *err, size_t err_len)
{
	static struct prog p;
	build(&p, map_fd, count_fd, own_ifindex, mtu, slow_ifindex);
	return bpfsys_prog_load(&p.code, "aoesim_fwd", err, err_len);
}

int fastbpf_attach_ingress(int prog_fd, uint32_t ifindex)
{
	return bpfsys_attach_tcx(prog_fd, ifindex, BPFSYS_TCX_INGRESS);
}
