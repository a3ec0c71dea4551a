/*
 * pool.h - aoe-target's frame buffers: allocated once, taken and given back.
 *
 * Every frame the loop receives lands in a pool buffer and stays there until
 * its reply has been sent: a request waiting for the disk holds its buffer, and
 * the pool is what backs the buffer count a target advertises.  Each buffer
 * starts 36 bytes before a page boundary, so the ATA data of a frame is page
 * aligned (O_DIRECT wants that), and a buffer's index follows from its address.
 */
#ifndef AOEKIT_POOL_H
#define AOEKIT_POOL_H

#include <stddef.h>
#include <stdint.h>

struct frame_pool {
	uint8_t *memory;
	size_t stride;          /* bytes from one buffer to the next */
	size_t cap;             /* usable bytes of each buffer */
	unsigned count;
	unsigned free_count;
	uint16_t *free;         /* stack of free buffer indices */
};

enum { POOL_MAX = 4096 };

/* count buffers of at least cap bytes. Returns 0 or -1 (out of memory, or count > POOL_MAX). */
int pool_init(struct frame_pool *pool, unsigned count, size_t cap);
void pool_free(struct frame_pool *pool);

static inline uint8_t *pool_buf(const struct frame_pool *pool, unsigned index)
{
	return pool->memory + (size_t)index * pool->stride + (pool->stride - pool->cap);
}

static inline unsigned pool_index(const struct frame_pool *pool, const uint8_t *buf)
{
	return (unsigned)((size_t)(buf - pool->memory) / pool->stride);
}

/* A free buffer's index, or -1 if none is left. */
static inline int pool_get(struct frame_pool *pool)
{
	return pool->free_count ? pool->free[--pool->free_count] : -1;
}

static inline void pool_put(struct frame_pool *pool, unsigned index)
{
	pool->free[pool->free_count++] = (uint16_t)index;
}

#endif
