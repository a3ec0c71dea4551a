/*
 * l2ring.c - PACKET_RX_RING (TPACKET_V2) for an l2port.
 */
#include "l2ring.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

enum {
	PAGE = 4096,
	BIG_BLOCK = 128 * 1024,  /* jumbo frames: several per block, little waste */
	RING_BYTES_MAX = 4 << 20, /* jumbo frames: fewer slots rather than a huge ring */
	RING_FRAMES_MIN = 64,
	L2RING_MTU_MIN = 9216,   /* the largest jumbo MTU switches commonly allow: see slot_size */
};

/*
 * Room before the frame (header, address, alignment) plus the frame and some
 * slack.  Slots hold a jumbo frame even on a small MTU: the MTU may be raised
 * while we run, and a frame longer than its slot would arrive cut short.
 */
static unsigned slot_size(unsigned mtu)
{
	if (mtu < L2RING_MTU_MIN)
		mtu = L2RING_MTU_MIN;
	return TPACKET_ALIGN(TPACKET2_HDRLEN + 16 + AOE_ETH_HDR_LEN + mtu + 64);
}

int l2ring_setup(struct l2port *port, unsigned frames)
{
	int version = TPACKET_V2;
	if (setsockopt(port->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0)
		return -1;
	unsigned frame_size = slot_size(port->mtu);
	unsigned block_size = frame_size <= PAGE / 2 ? PAGE : BIG_BLOCK;
	if (frame_size > block_size)
		block_size = (frame_size + PAGE - 1) / PAGE * PAGE;
	unsigned per_block = block_size / frame_size;
	if (frames > RING_BYTES_MAX / frame_size)
		frames = RING_BYTES_MAX / frame_size;
	if (frames < RING_FRAMES_MIN)
		frames = RING_FRAMES_MIN;
	unsigned blocks = (frames + per_block - 1) / per_block;
	struct tpacket_req req = {
		.tp_block_size = block_size,
		.tp_block_nr = blocks,
		.tp_frame_size = frame_size,
		.tp_frame_nr = blocks * per_block,
	};
	if (setsockopt(port->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return -1;
	size_t size = (size_t)block_size * blocks;
	void *ring = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, port->fd, 0);
	if (ring == MAP_FAILED) {
		int saved = errno;
		struct tpacket_req none = { 0 };
		setsockopt(port->fd, SOL_PACKET, PACKET_RX_RING, &none, sizeof(none));
		errno = saved;
		return -1;
	}
	port->ring = ring;
	port->ring_size = size;
	port->ring_block_size = block_size;
	port->ring_frame_size = frame_size;
	port->ring_per_block = per_block;
	port->ring_frames = blocks * per_block;
	port->ring_head = 0;
	port->ring_peeked = 0;
	return 0;
}

void l2ring_free(struct l2port *port)
{
	if (port->ring)
		munmap(port->ring, port->ring_size);
	port->ring = NULL;
}

static struct tpacket2_hdr *slot_at(const struct l2port *port, unsigned index)
{
	unsigned block = index / port->ring_per_block, within = index % port->ring_per_block;
	return (struct tpacket2_hdr *)(port->ring + (size_t)block * port->ring_block_size +
				       (size_t)within * port->ring_frame_size);
}

/* The slot index after the peeked ones holds a frame for us; its address, or NULL. */
static struct tpacket2_hdr *next_ready(const struct l2port *port)
{
	struct tpacket2_hdr *h = slot_at(port, (port->ring_head + port->ring_peeked) % port->ring_frames);
	/* Acquire: the frame's bytes are visible once its status says it is ours. */
	return __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER ? h : NULL;
}

static bool not_for_us(const struct l2port *port, const struct tpacket2_hdr *h)
{
	const struct sockaddr_ll *from =
		(const void *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(struct tpacket2_hdr)));
	return l2port_filters_out(port, from->sll_pkttype);
}

unsigned l2ring_peek(struct l2port *port, struct l2frame *frames, unsigned count)
{
	unsigned found = 0;
	struct tpacket2_hdr *h;
	while (found < count && port->ring_peeked < port->ring_frames && (h = next_ready(port))) {
		port->ring_peeked++;
		if (not_for_us(port, h))
			continue;
		frames[found++] = (struct l2frame){ .buf = (uint8_t *)h + h->tp_mac,
						    .len = h->tp_snaplen, .cap = h->tp_snaplen,
						    .truncated = h->tp_len > h->tp_snaplen };
	}
	return found;
}

void l2ring_release(struct l2port *port)
{
	for (; port->ring_peeked > 0; port->ring_peeked--) {
		struct tpacket2_hdr *h = slot_at(port, port->ring_head);
		/* Release: whatever was read from the slot is read before the kernel may reuse it. */
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		port->ring_head = (port->ring_head + 1) % port->ring_frames;
	}
}

unsigned l2ring_take(struct l2port *port, struct l2frame *frames, unsigned count)
{
	struct l2frame in_ring[L2PORT_BATCH_MAX];
	if (count > L2PORT_BATCH_MAX)
		count = L2PORT_BATCH_MAX;
	l2ring_release(port); /* a peek not given back is over now */
	unsigned found = l2ring_peek(port, in_ring, count);
	for (unsigned i = 0; i < found; i++) {
		size_t len = in_ring[i].len < frames[i].cap ? in_ring[i].len : frames[i].cap;
		memcpy(frames[i].buf, in_ring[i].buf, len);
		frames[i].len = len;
		frames[i].truncated = in_ring[i].truncated || len < in_ring[i].len;
	}
	l2ring_release(port);
	return found;
}
