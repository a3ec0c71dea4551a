/*
 * capture.h - one pcap file per port, holding what that host sent (as it
 * left the host, before any fault) and what it received (after the faults),
 * as tcpdump on the host's eth0 would have seen it.
 */
#ifndef AOESIM_CAPTURE_H
#define AOESIM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

struct capture;

/* Open DIR/HOST.pcap for every host.  NULL (with a message) on failure. */
struct capture *capture_open(const char *dir, const struct scenario *sc);
void capture_frame(struct capture *cap, int port, const uint8_t *frame, size_t len);
/* Push buffered records to the files, so a reader sees them while we run. */
void capture_flush(struct capture *cap);
void capture_close(struct capture *cap);

#endif
