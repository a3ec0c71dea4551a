/*
 * hostmtu.c - MTUs of interfaces in other namespaces (hostmtu.h).
 */
#include "hostmtu.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"

int hostmtu_watch(const char *ns)
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

unsigned hostmtu_read(const char *ns, const char *ifname)
{
	/* An AF_PACKET socket answers interface ioctls without needing IPv4. */
	int fd = netns_socket(ns, AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	unsigned mtu = ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0 ? (unsigned)ifr.ifr_mtu : 0;
	close(fd);
	return mtu;
}

/* The MTU in one RTM_NEWLINK message about ifname, or 0. */
static unsigned link_mtu(struct nlmsghdr *msg, const char *ifname)
{
	if (msg->nlmsg_type != RTM_NEWLINK || msg->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return 0;
	struct ifinfomsg *info = NLMSG_DATA(msg);
	int left = (int)IFLA_PAYLOAD(msg);
	const char *name = NULL;
	unsigned mtu = 0;
	for (struct rtattr *a = IFLA_RTA(info); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		if (a->rta_type == IFLA_IFNAME)
			name = RTA_DATA(a);
		else if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= sizeof(uint32_t))
			memcpy(&mtu, RTA_DATA(a), sizeof(uint32_t));
	}
	return name && strncmp(name, ifname, IFNAMSIZ) == 0 ? mtu : 0;
}

int hostmtu_changes(int fd, const char *ifname, unsigned *mtu)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int found = 0;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			/* ENOBUFS: reports were lost; the caller reads the MTU afresh. */
			return errno == EAGAIN ? found : -1;
		}
		int left = (int)len;
		for (struct nlmsghdr *msg = (struct nlmsghdr *)buf; NLMSG_OK(msg, left);
		     msg = NLMSG_NEXT(msg, left)) {
			unsigned now = link_mtu(msg, ifname);
			if (now) {
				*mtu = now;
				found = 1;
			}
		}
	}
}
