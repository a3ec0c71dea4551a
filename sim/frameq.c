/*
 * frameq.c - binary min-heap of delayed frames.
 */
#include "frameq.h"

#include <stdlib.h>
#include <string.h>

struct qframe *qframe_new(const uint8_t *frame, size_t len)
{
	struct qframe *f = malloc(sizeof(*f) + len);
	if (!f)
		return NULL;
	memset(f, 0, sizeof(*f));
	f->len = (uint32_t)len;
	memcpy(f->data, frame, len);
	return f;
}

void frameq_init(struct frameq *q)
{
	memset(q, 0, sizeof(*q));
}

void frameq_free(struct frameq *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->heap[i]);
	free(q->heap);
	memset(q, 0, sizeof(*q));
}

static bool before(const struct qframe *a, const struct qframe *b)
{
	return a->due != b->due ? a->due < b->due : a->seq < b->seq;
}

int frameq_push(struct frameq *q, struct qframe *f)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 1024;
		struct qframe **grown = realloc(q->heap, cap * sizeof(*grown));
		if (!grown)
			return -1;
		q->heap = grown;
		q->cap = cap;
	}
	f->seq = q->seq++;
	size_t i = q->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(f, q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = f;
	q->bytes += f->len;
	return 0;
}

struct qframe *frameq_pop(struct frameq *q)
{
	if (q->n == 0)
		return NULL;
	struct qframe *top = q->heap[0];
	struct qframe *last = q->heap[--q->n];
	size_t i = 0;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= q->n)
			break;
		if (child + 1 < q->n && before(q->heap[child + 1], q->heap[child]))
			child++;
		if (!before(q->heap[child], last))
			break;
		q->heap[i] = q->heap[child];
		i = child;
	}
	if (q->n)
		q->heap[i] = last;
	q->bytes -= top->len;
	return top;
}
