/*
 * progress.c - the meter.  Redrawn at most four times a second.
 */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "units.h"

enum {
	PROGRESS_DELAY_NS = NS_PER_S,          /* stay quiet for transfers shorter than this */
	PROGRESS_REDRAW_NS = NS_PER_S / 4,
};

void progress_start(struct progress *p, uint64_t total_bytes)
{
	p->enabled = isatty(STDERR_FILENO) == 1;
	p->shown = false;
	p->total = total_bytes;
	p->done = 0;
	p->start_ns = clock_now_ns();
	p->last_draw_ns = 0;
}

static void draw(struct progress *p, uint64_t now)
{
	double elapsed = clock_ns_to_s(now - p->start_ns);
	double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
	char done[32], total[32], speed[32];
	units_format_bytes(p->done, done, sizeof(done));
	units_format_bytes((uint64_t)rate, speed, sizeof(speed));
	if (p->total > 0 && rate > 0) {
		units_format_bytes(p->total, total, sizeof(total));
		unsigned eta = (unsigned)((double)(p->total - (p->done < p->total ? p->done : p->total)) / rate);
		fprintf(stderr, "\r%s / %s  %s/s  ETA %u:%02u  ", done, total, speed, eta / 60, eta % 60);
	} else {
		fprintf(stderr, "\r%s  %s/s  ", done, speed);
	}
	p->shown = true;
	p->last_draw_ns = now;
}

void progress_add(struct progress *p, uint64_t bytes)
{
	p->done += bytes;
	if (!p->enabled)
		return;
	uint64_t now = clock_now_ns();
	if (now - p->start_ns < PROGRESS_DELAY_NS || now - p->last_draw_ns < PROGRESS_REDRAW_NS)
		return;
	draw(p, now);
}

void progress_finish(struct progress *p)
{
	if (!p->shown)
		return;
	draw(p, clock_now_ns());
	fputc('\n', stderr);
	p->shown = false;
}
