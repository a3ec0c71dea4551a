/*
 * hostlink.h - a host's eth0 as it is now (MTU and address), and word when
 * it changes.
 *
 * The kernel's fast path (fastpath.h) hands frames straight to a host's
 * interface, past what a veth checks on delivery: the MTU, and whether the
 * frame is addressed to the interface at all.  So it must know each host's
 * MTU and address also after someone changes them inside the host (as the
 * MTU tests do): a route netlink socket of the host's namespace, subscribed
 * to link changes, tells.
 */
#ifndef AOESIM_HOSTLINK_H
#define AOESIM_HOSTLINK_H

#include <stdbool.h>
#include <stdint.h>

struct hostlink {
	unsigned mtu;
	uint8_t mac[6];
};

/* A non-blocking netlink socket of namespace ns that hears link changes; -1 with errno. */
int hostlink_watch(const char *ns);
/* ifname in ns now; false on error. */
bool hostlink_read(const char *ns, const char *ifname, struct hostlink *link);
/*
 * Read what the watch socket has: 1 and *link if ifname was reported (the
 * last report wins; a report without an address keeps link->mac), 0 if
 * nothing about it, -1 on error (reports may have been lost).
 */
int hostlink_changes(int fd, const char *ifname, struct hostlink *link);

#endif
