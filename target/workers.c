/*
 * workers.c - extra event loops in threads of their own (--threads).
 */
#include "workers.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

/*
 * Start-up: each thread sets its loop up and says so; none serves until all
 * are ready, so that a failure stops the whole target before it answers.
 */
struct start_gate {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned ready;
	bool go;
};

struct worker_start {
	struct workers *w;
	unsigned index;
	atomic_int *stop;
	struct start_gate *gate;
	int init_status;
};

static struct worker_start starts[WORKERS_MAX];
static pthread_t threads[WORKERS_MAX];

/*
 * Which loop takes a frame: the initiator's MAC plus bits 8-15 of the LBA
 * (for commands without one, whatever is there), modulo the loops.  One
 * initiator's sequential requests stay together for 128 KiB at a time, so
 * the disk stage can still merge them; random requests and several
 * initiators spread over every loop.  Round robin (PACKET_FANOUT_LB) would
 * split every sequential batch, and the kernel's flow hash cannot look into
 * a frame that is not IP.  A frame too short for a load goes to loop 0.
 */
static struct sock_filter spread_program[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (unsigned)SKF_LL_OFF + 8),   /* source MAC, bytes 2-5 */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (unsigned)SKF_NET_OFF + 15), /* AoE ATA: LBA bits 8-15 */
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
	BPF_STMT(BPF_RET | BPF_A, 0),
};

/* The group id the kernel chose for the first socket of an interface, or -1. */
static int create_group(struct l2port *port)
{
	int arg = (PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
	if (setsockopt(port->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0)
		return -1;
	struct sock_fprog program = {
		.len = sizeof(spread_program) / sizeof(spread_program[0]),
		.filter = spread_program,
	};
	if (setsockopt(port->fd, SOL_PACKET, PACKET_FANOUT_DATA, &program, sizeof(program)) < 0)
		return -1;
	socklen_t len = sizeof(arg);
	if (getsockopt(port->fd, SOL_PACKET, PACKET_FANOUT, &arg, &len) < 0)
		return -1;
	return arg & 0xffff;
}

static int join_group(struct l2port *port, int group)
{
	int arg = group | PACKET_FANOUT_CBPF << 16;
	return setsockopt(port->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg));
}

/* A worker's loop: the first loop's exports, and a socket on each of its interfaces. */
static int open_loop(struct target_loop *loop, const struct target_loop *first, unsigned index,
		     const int *groups)
{
	memset(loop, 0, sizeof(*loop));
	loop->index = index;
	loop->exports = first->exports;
	loop->export_count = first->export_count;
	for (unsigned p = 0; p < first->port_count; p++) {
		char err[L2PORT_ERR_MAX];
		if (l2port_open_ring(&loop->ports[p], first->ports[p].ifname, LOOP_RING_FRAMES, err,
				     sizeof(err)) < 0) {
			log_msg(LOG_ERR, "thread %u: %s", index, err);
			return -1;
		}
		loop->port_count = p + 1;
		if (join_group(&loop->ports[p], groups[p]) < 0) {
			log_msg(LOG_ERR, "%s: cannot join the fanout group: %s", first->ports[p].ifname,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void close_ports(struct target_loop *loop)
{
	for (unsigned p = 0; p < loop->port_count; p++)
		l2port_close(&loop->ports[p]);
	loop->port_count = 0;
}

/* io_uring is set up by the thread that uses it (the ring is single-issuer). */
static void *worker_main(void *arg)
{
	struct worker_start *start = arg;
	struct start_gate *gate = start->gate;
	struct target_loop *loop = &start->w->loops[start->index - 1];
	start->init_status = loop_init(loop);
	if (start->init_status < 0)
		log_msg(LOG_ERR, "thread %u: out of memory for its buffers", start->index);
	pthread_mutex_lock(&gate->lock);
	gate->ready++;
	pthread_cond_broadcast(&gate->changed);
	while (!gate->go)
		pthread_cond_wait(&gate->changed, &gate->lock);
	pthread_mutex_unlock(&gate->lock);
	if (start->init_status == 0 &&
	    loop_run(loop, start->stop, &start->w->report[start->index - 1]) < 0)
		atomic_store(start->stop, 1);
	return NULL;
}

/* Start the threads; 0 once all are ready, -1 (and everything stopped) if one is not. */
static int start_threads(struct workers *w, atomic_int *stop)
{
	static struct start_gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false };
	/* Signals stay with the main thread: the workers inherit a blocked mask. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int status = 0;
	for (unsigned i = 0; i < w->count && status == 0; i++) {
		starts[i] = (struct worker_start){ .w = w, .index = i + 1, .stop = stop, .gate = &gate };
		int error = pthread_create(&threads[i], NULL, worker_main, &starts[i]);
		if (error != 0) {
			log_msg(LOG_ERR, "cannot start thread %u: %s", i + 1, strerror(error));
			status = -1;
		} else {
			w->started = i + 1;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&gate.lock);
	while (gate.ready < w->started)
		pthread_cond_wait(&gate.changed, &gate.lock);
	for (unsigned i = 0; i < w->started; i++)
		if (starts[i].init_status < 0)
			status = -1;
	if (status < 0)
		atomic_store(stop, 1);
	gate.go = true;
	pthread_cond_broadcast(&gate.changed);
	pthread_mutex_unlock(&gate.lock);
	if (status < 0)
		workers_join(w);
	return status;
}

int workers_start(struct workers *w, struct target_loop *first, unsigned count,
		  atomic_int *stop)
{
	memset(w, 0, sizeof(*w));
	if (count > WORKERS_MAX)
		count = WORKERS_MAX;
	int groups[LOOP_PORTS_MAX];
	for (unsigned p = 0; p < first->port_count; p++) {
		groups[p] = create_group(&first->ports[p]);
		if (groups[p] < 0) {
			log_msg(LOG_ERR, "%s: cannot make a fanout group: %s", first->ports[p].ifname,
				strerror(errno));
			return -1;
		}
	}
	for (unsigned i = 0; i < count; i++) {
		if (open_loop(&w->loops[i], first, i + 1, groups) < 0) {
			for (unsigned j = 0; j <= i; j++)
				close_ports(&w->loops[j]);
			return -1;
		}
	}
	w->count = count;
	return start_threads(w, stop);
}

void workers_join(struct workers *w)
{
	for (unsigned i = 0; i < w->started; i++)
		pthread_join(threads[i], NULL);
	for (unsigned i = 0; i < w->count; i++) {
		close_ports(&w->loops[i]);
		loop_free(&w->loops[i]);
	}
	w->started = 0;
	w->count = 0;
}

void workers_request_report(struct workers *w)
{
	for (unsigned i = 0; i < w->count; i++)
		atomic_store(&w->report[i], 1);
}
