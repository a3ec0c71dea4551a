/*
 * capture.c - pcap writing through libpcap (pcap_open_dead + pcap_dump), so
 * the files are exactly what tcpdump and Wireshark expect.
 */
#include "capture.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { CAPTURE_SNAPLEN = 65535 };

struct capture {
	int nports;
	pcap_t *dead;
	pcap_dumper_t *dump[SIM_MAX_HOSTS];
};

struct capture *capture_open(const char *dir, const struct scenario *sc)
{
	struct capture *cap = calloc(1, sizeof(*cap));
	if (!cap)
		return NULL;
	cap->dead = pcap_open_dead(DLT_EN10MB, CAPTURE_SNAPLEN);
	if (!cap->dead) {
		free(cap);
		sim_err("pcap_open_dead failed");
		return NULL;
	}
	for (int h = 0; h < sc->nhosts; h++, cap->nports++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.pcap", dir, sc->hosts[h].name);
		cap->dump[h] = pcap_dump_open(cap->dead, path);
		if (!cap->dump[h]) {
			sim_err("%s: %s", path, pcap_geterr(cap->dead));
			capture_close(cap);
			return NULL;
		}
	}
	return cap;
}

void capture_frame(struct capture *cap, int port, const uint8_t *frame, size_t len)
{
	if (!cap)
		return;
	uint64_t t = wall_ns();
	struct pcap_pkthdr hdr;
	memset(&hdr, 0, sizeof(hdr));
	hdr.ts.tv_sec = (time_t)(t / NS_PER_SEC);
	hdr.ts.tv_usec = (suseconds_t)(t % NS_PER_SEC / 1000);
	hdr.len = (bpf_u_int32)len;
	hdr.caplen = (bpf_u_int32)(len > CAPTURE_SNAPLEN ? CAPTURE_SNAPLEN : len);
	pcap_dump((u_char *)cap->dump[port], &hdr, frame);
}

void capture_flush(struct capture *cap)
{
	if (!cap)
		return;
	for (int i = 0; i < cap->nports; i++)
		pcap_dump_flush(cap->dump[i]);
}

void capture_close(struct capture *cap)
{
	if (!cap)
		return;
	for (int i = 0; i < cap->nports; i++)
		if (cap->dump[i])
			pcap_dump_close(cap->dump[i]);
	pcap_close(cap->dead);
	free(cap);
}
