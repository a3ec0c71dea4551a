/*
 * ifaces.c - read /sys/class/net: operstate and the interface flags.
 */
#include "ifaces.h"

#include <dirent.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYS_NET "/sys/class/net"

/* The first line of /sys/class/net/IFACE/ATTR, without the newline. */
static bool read_attribute(const char *ifname, const char *attr, char *out, size_t out_len)
{
	char path[128];
	snprintf(path, sizeof(path), SYS_NET "/%s/%s", ifname, attr);
	FILE *file = fopen(path, "r");
	if (file == NULL)
		return false;
	bool ok = fgets(out, (int)out_len, file) != NULL;
	fclose(file);
	if (ok)
		out[strcspn(out, "\n")] = '\0';
	return ok;
}

static bool interface_usable(const char *ifname)
{
	char flags_text[32], state[32];
	if (!read_attribute(ifname, "flags", flags_text, sizeof(flags_text)) ||
	    !read_attribute(ifname, "operstate", state, sizeof(state)))
		return false;
	unsigned long flags = strtoul(flags_text, NULL, 16);
	if ((flags & IFF_LOOPBACK) || !(flags & IFF_UP))
		return false;
	/* Some virtual devices never report a state: "unknown" with IFF_UP counts as up. */
	return strcmp(state, "up") == 0 || strcmp(state, "unknown") == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

unsigned ifaces_default(char names[][L2PORT_IFNAME_MAX], unsigned max)
{
	DIR *dir = opendir(SYS_NET);
	if (dir == NULL)
		return 0;
	unsigned count = 0;
	struct dirent *entry;
	while (count < max && (entry = readdir(dir)) != NULL) {
		size_t len = strlen(entry->d_name);
		if (entry->d_name[0] == '.' || len >= L2PORT_IFNAME_MAX)
			continue;
		if (interface_usable(entry->d_name))
			memcpy(names[count++], entry->d_name, len + 1);
	}
	closedir(dir);
	qsort(names, count, L2PORT_IFNAME_MAX, compare_names);
	return count;
}
