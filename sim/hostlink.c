/*
 * hostlink.c - interfaces in other namespaces (hostlink.h).
 */
#include "hostlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"

int hostlink_watch(const char *ns)
{
	int fd = netns_socket(ns, AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

bool hostlink_read(const char *ns, const char *ifname, struct hostlink *link)
{
	struct ifreq ifr;
	int fd = netns_iface_socket(ns, ifname, &ifr);
	if (fd < 0)
		return false;
	bool ok = ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0;
	if (ok)
		link->mtu = (unsigned)ifr.ifr_mtu;
	ok = ok && ioctl(fd, SIOCGIFHWADDR, &ifr) == 0;
	if (ok)
		memcpy(link->mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ok;
}

/* One RTM_NEWLINK message about ifname into *link; false if it is about something else. */
static bool link_report(struct nlmsghdr *msg, const char *ifname, struct hostlink *link)
{
	if (msg->nlmsg_type != RTM_NEWLINK || msg->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return false;
	struct ifinfomsg *info = NLMSG_DATA(msg);
	int left = (int)IFLA_PAYLOAD(msg);
	const char *name = NULL;
	struct hostlink seen = *link;
	for (struct rtattr *a = IFLA_RTA(info); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		if (a->rta_type == IFLA_IFNAME)
			name = RTA_DATA(a);
		else if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= sizeof(uint32_t))
			memcpy(&seen.mtu, RTA_DATA(a), sizeof(uint32_t));
		else if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == 6)
			memcpy(seen.mac, RTA_DATA(a), 6);
	}
	if (!name || strncmp(name, ifname, IFNAMSIZ) != 0)
		return false;
	*link = seen;
	return true;
}

int hostlink_changes(int fd, const char *ifname, struct hostlink *link)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int found = 0;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			/* ENOBUFS: reports were lost; the caller reads the link afresh. */
			return errno == EAGAIN ? found : -1;
		}
		int left = (int)len;
		for (struct nlmsghdr *msg = (struct nlmsghdr *)buf; NLMSG_OK(msg, left);
		     msg = NLMSG_NEXT(msg, left))
			found |= link_report(msg, ifname, link);
	}
}
