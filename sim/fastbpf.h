/*
 * fastbpf.h - the BPF side of the fast path (fastpath.h): the map of host
 * addresses, the forwarding program of one port, and its tcx attachment,
 * through the bpf() system call alone (no libbpf, no compiler: the program
 * is a few dozen instructions built here).
 */
#ifndef AOESIM_FASTBPF_H
#define AOESIM_FASTBPF_H

#include <stddef.h>
#include <stdint.h>

/* A map entry: where frames for one host go. */
struct fast_dest {
	uint32_t ifindex;   /* the switch's end of the host's veth pair */
	uint32_t mtu;       /* the host's MTU in the scenario: only ports of that MTU forward to it */
	uint32_t mtu_now;   /* its MTU now: longer frames go through the switch */
	uint32_t slot;      /* its counters' index in the count map */
};

/*
 * What the programs forwarded to one host.  Apart from the entries, which
 * are replaced whole when a host's MTU changes, so no count is lost then.
 */
struct fast_count {
	uint64_t frames;
	uint64_t bytes;
};

/* Map key: a MAC address and two zero bytes. */
struct fast_key {
	uint8_t mac[6];
	uint8_t zero[2];
};

/* The address map (hash) and the count map (array) for max_entries hosts; fd, or -1 with errno. */
int fastbpf_map_create(unsigned max_entries);
int fastbpf_count_create(unsigned max_entries);
int fastbpf_map_set(int map_fd, const struct fast_key *key, const struct fast_dest *dest);
int fastbpf_map_delete(int map_fd, const struct fast_key *key);
int fastbpf_count_get(int count_fd, uint32_t slot, struct fast_count *count);

/*
 * Load the program of one port: frames for an address in the map, of a host
 * with this MTU on another port, that fit the host's MTU now, go straight
 * into that host's namespace (bpf_redirect_peer); the rest go out of
 * slow_ifindex (the veth the switch reads).  Returns its fd, or -1
 * with the verifier's complaint (or strerror) in err.
 */
int fastbpf_prog_load(int map_fd, int count_fd, uint32_t own_ifindex, uint32_t mtu,
		      uint32_t slow_ifindex, char *err, size_t err_len);

/* Attach a program to ifindex's ingress (tcx); the link's fd, or -1 with errno. */
int fastbpf_attach_ingress(int prog_fd, uint32_t ifindex);

#endif
