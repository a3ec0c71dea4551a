/*
 * hostmtu.h - a host's MTU as it is now, and word when it changes.
 *
 * The kernel's fast path (fastpath.h) hands frames straight to a host's
 * interface, past the MTU check a veth makes on the way in, so it must know
 * each host's MTU also after someone changes it inside the host (as the
 * MTU tests do): a route netlink socket of the host's namespace, subscribed
 * to link changes, tells.
 */
#ifndef AOESIM_HOSTMTU_H
#define AOESIM_HOSTMTU_H

/* A non-blocking netlink socket of namespace ns that hears link changes; -1 with errno. */
int hostmtu_watch(const char *ns);
/* The MTU of ifname in ns now; 0 on error. */
unsigned hostmtu_read(const char *ns, const char *ifname);
/*
 * Read what the watch socket has: 1 and *mtu if ifname's MTU was reported
 * (the last report wins), 0 if nothing about it, -1 on error.
 */
int hostmtu_changes(int fd, const char *ifname, unsigned *mtu);

#endif
