/*
 * impair.c - loss on an existing interface (impair.h).
 */
#include "impair.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpfsys.h"
#include "util.h"

enum { ETH_HEADER_LEN = 14, ETH_TYPE_OFFSET = 12, ETH_TYPE_AOE = 0x88a2 };

#define SKB_FIELD(f) ((int16_t)offsetof(struct __sk_buff, f))
#define COUNT_FIELD(f) ((int16_t)offsetof(struct impair_count, f))

static const char *const dir_name[] = { "in", "out" };

uint64_t impair_threshold(double loss)
{
	if (loss <= 0)
		return 0;
	if (loss >= 1)
		return UINT64_C(1) << 32;
	return (uint64_t)(loss * 4294967296.0);
}

/* Jumps to the end ("on to the next program"), patched once it is placed. */
struct patches {
	int at[4];
	int count;
};

static void jump_next(struct bpf_code *c, struct patches *p, uint8_t op, uint8_t dst, uint8_t src,
		      int32_t imm)
{
	p->at[p->count++] = c->n;
	bpf_emit(c, BPF_JMP | op, dst, src, 0, imm);
}

/* *(u64 *)(r7 + off) += 1, atomically: the program may run on every CPU at once. */
static void emit_increment(struct bpf_code *c, int16_t off)
{
	bpf_emit(c, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1);
	bpf_emit(c, BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_7, BPF_REG_1, off, BPF_ADD);
}

/*
 * An AoE frame is counted in slot dir, then dropped if a random u32 falls
 * below the threshold; everything else goes on as if the program were not there.
 */
static void build(struct bpf_code *c, int count_fd, enum impair_dir dir, uint64_t threshold)
{
	struct patches next = { .count = 0 };
	memset(c, 0, sizeof(*c));
	bpf_emit(c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);  /* r6 = skb */
	bpf_emit(c, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_6, SKB_FIELD(data), 0);
	bpf_emit(c, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_6, SKB_FIELD(data_end), 0);
	bpf_emit(c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0);
	bpf_emit(c, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, ETH_HEADER_LEN);
	jump_next(c, &next, BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 0);      /* no Ethernet header */
	bpf_emit(c, BPF_LDX | BPF_MEM | BPF_H, BPF_REG_5, BPF_REG_2, ETH_TYPE_OFFSET, 0);
	jump_next(c, &next, BPF_JNE | BPF_K, BPF_REG_5, 0, htons(ETH_TYPE_AOE)); /* not AoE */
	bpf_emit(c, BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, (int32_t)dir);
	bpf_emit_map_fd(c, BPF_REG_1, count_fd);
	bpf_emit(c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
	bpf_emit(c, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4);
	bpf_emit(c, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	/* An array's slot is always there; the verifier wants the check all the same. */
	jump_next(c, &next, BPF_JEQ | BPF_K, BPF_REG_0, 0, 0);
	bpf_emit(c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_7, BPF_REG_0, 0, 0);  /* r7 = counts */
	emit_increment(c, COUNT_FIELD(frames));
	bpf_emit(c, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_prandom_u32);
	bpf_emit_imm64(c, BPF_REG_1, threshold);
	jump_next(c, &next, BPF_JGE | BPF_X, BPF_REG_0, BPF_REG_1, 0);      /* spared */
	emit_increment(c, COUNT_FIELD(dropped));
	if (dir == IMPAIR_IN) {
		bpf_emit(c, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, BPFSYS_TCX_DROP);
	} else {
		/*
		 * Dropped on the way out, the sender would be told (ENOBUFS, as
		 * from a full queue); lost on a wire it would not.  A redirect to
		 * no interface (index 0) is dropped after the send has succeeded.
		 */
		bpf_emit(c, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 0);
		bpf_emit(c, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0);
		bpf_emit(c, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect);
	}
	bpf_emit(c, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	int end = c->n;
	bpf_emit(c, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, BPFSYS_TCX_NEXT);
	bpf_emit(c, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (int i = 0; i < next.count; i++)
		c->insn[next.at[i]].off = (int16_t)(end - (next.at[i] + 1));
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: aoe-sim impair IFACE [--loss-in P%%] [--loss-out P%%]\n"
		"Lose P%% of the AoE frames IFACE (in this namespace) receives (--loss-in) or\n"
		"sends (--loss-out), until SIGINT or SIGTERM; SIGUSR1 prints the counts so far.\n"
		"At the end (and on SIGUSR1) one line per direction on stdout:\n"
		"  in frames N dropped M\n"
		"Other frames pass untouched. Needs root and Linux 6.6 or later (tcx).\n");
}

struct impair_opts {
	const char *iface;
	double loss[2];
	bool given[2];
};

static int parse(int argc, char **argv, struct impair_opts *o)
{
	static const struct option longopts[] = {
		{ "loss-in", required_argument, NULL, 'i' },
		{ "loss-out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int dir = opt == 'i' ? IMPAIR_IN : IMPAIR_OUT;
		switch (opt) {
		case 'i':
		case 'o':
			if (!parse_percent(optarg, &o->loss[dir])) {
				sim_err("--loss-%s needs a percentage, 0%% to 100%% (e.g. 2%%), not '%s'",
					dir_name[dir], optarg);
				return -1;
			}
			o->given[dir] = true;
			break;
		case 'h': usage(stdout); return 1;
		default: return -1;
		}
	}
	if (optind != argc - 1) {
		sim_err("impair needs one interface (see aoe-sim impair --help)");
		return -1;
	}
	if (!o->given[IMPAIR_IN] && !o->given[IMPAIR_OUT]) {
		sim_err("say how much to lose: --loss-in P%% and/or --loss-out P%%");
		return -1;
	}
	o->iface = argv[optind];
	return 0;
}

static void print_counts(const struct impair_opts *o, int count_fd)
{
	for (uint32_t dir = IMPAIR_IN; dir <= IMPAIR_OUT; dir++) {
		struct impair_count count = { 0, 0 };
		if (!o->given[dir])
			continue;
		if (bpfsys_map_lookup(count_fd, &dir, &count) < 0)
			sim_err("cannot read the %s counts: %s", dir_name[dir], strerror(errno));
		printf("%s frames %llu dropped %llu\n", dir_name[dir],
		       (unsigned long long)count.frames, (unsigned long long)count.dropped);
	}
	fflush(stdout);
}

/* Load and attach one direction's program; the link's fd, or -1 after saying why. */
static int attach(const struct impair_opts *o, unsigned ifindex, int count_fd, enum impair_dir dir)
{
	static struct bpf_code code;
	char err[512];
	build(&code, count_fd, dir, impair_threshold(o->loss[dir]));
	int prog_fd = bpfsys_prog_load(&code, "aoesim_loss", err, sizeof(err));
	if (prog_fd < 0) {
		sim_err("the kernel refused the loss program: %s", err);
		return -1;
	}
	int link_fd = bpfsys_attach_tcx(prog_fd, ifindex,
					dir == IMPAIR_IN ? BPFSYS_TCX_INGRESS : BPFSYS_TCX_EGRESS);
	int saved = errno;
	close(prog_fd);  /* the link holds the program */
	if (link_fd < 0)
		sim_err("cannot attach to %s %sgress: %s (tcx needs Linux 6.6 or later)", o->iface,
			dir == IMPAIR_IN ? "in" : "e", strerror(saved));
	return link_fd;
}

int impair_main(int argc, char **argv)
{
	struct impair_opts o;
	int rc = parse(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? 2 : 0;
	if (geteuid() != 0) {
		sim_err("impair must run as root (it attaches BPF programs)");
		return 1;
	}
	unsigned ifindex = if_nametoindex(o.iface);
	if (ifindex == 0) {
		sim_err("%s: no such interface in this namespace", o.iface);
		return 1;
	}
	int count_fd = bpfsys_map_create(BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
					 sizeof(struct impair_count), 2, "aoesim_lossct");
	if (count_fd < 0) {
		sim_err("cannot create a BPF map: %s", strerror(errno));
		return 1;
	}
	/* Blocked before attaching, so a signal that comes early is waited for, not fatal. */
	sigset_t wanted;
	sigemptyset(&wanted);
	sigaddset(&wanted, SIGINT);
	sigaddset(&wanted, SIGTERM);
	sigaddset(&wanted, SIGUSR1);
	sigprocmask(SIG_BLOCK, &wanted, NULL);
	int links[2] = { -1, -1 };
	for (int dir = IMPAIR_IN; dir <= IMPAIR_OUT; dir++) {
		if (o.given[dir] && (links[dir] = attach(&o, ifindex, count_fd, dir)) < 0) {
			rc = 1;
			break;
		}
	}
	if (rc == 0) {
		sim_err("%s: losing %g%% of AoE frames in, %g%% out, until SIGINT or SIGTERM", o.iface,
			o.given[IMPAIR_IN] ? o.loss[IMPAIR_IN] * 100 : 0,
			o.given[IMPAIR_OUT] ? o.loss[IMPAIR_OUT] * 100 : 0);
		int sig = 0;
		while (sig != SIGINT && sig != SIGTERM) {
			if (sigwait(&wanted, &sig) != 0)
				break;
			if (sig == SIGUSR1)
				print_counts(&o, count_fd);
		}
		print_counts(&o, count_fd);
	}
	for (int dir = IMPAIR_IN; dir <= IMPAIR_OUT; dir++)
		if (links[dir] >= 0)
			close(links[dir]);
	close(count_fd);
	return rc;
}
