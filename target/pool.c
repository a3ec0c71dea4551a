/*
 * pool.c - the frame buffer pool.
 */
#include "pool.h"

#include <stdlib.h>

#include "aoe.h"

enum { PAGE = 4096 };

int pool_init(struct frame_pool *pool, unsigned count, size_t cap)
{
	pool->memory = NULL;
	pool->free = NULL;
	if (count == 0 || count > POOL_MAX)
		return -1;
	/* Room for a page-aligned data area after the 36-byte header. */
	size_t lead = PAGE - AOE_ATA_HDR_LEN;
	pool->stride = (lead + cap + PAGE - 1) / PAGE * PAGE;
	pool->cap = pool->stride - lead;
	pool->count = count;
	pool->memory = aligned_alloc(PAGE, pool->stride * count);
	pool->free = calloc(count, sizeof(*pool->free));
	if (pool->memory == NULL || pool->free == NULL) {
		pool_free(pool);
		return -1;
	}
	/* Lowest indices on top: a light load keeps using the same few pages. */
	pool->free_count = count;
	for (unsigned i = 0; i < count; i++)
		pool->free[i] = (uint16_t)(count - 1 - i);
	return 0;
}

void pool_free(struct frame_pool *pool)
{
	free(pool->memory);
	free(pool->free);
	pool->memory = NULL;
	pool->free = NULL;
	pool->free_count = 0;
}
