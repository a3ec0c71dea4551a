/*
 * fdio.c - a one-megabyte buffer in front of read(2) and write(2).
 */
#include "fdio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

enum { FDIO_BUFFER = 1 << 20 };

bool fdio_init(struct fdio *f, int fd, const char *name)
{
	*f = (struct fdio){ .fd = fd, .name = name, .cap = FDIO_BUFFER };
	f->buf = malloc(f->cap);
	return f->buf != NULL;
}

void fdio_free(struct fdio *f)
{
	free(f->buf);
	f->buf = NULL;
}

/* EINTR is retried unless it was one of our stop signals. */
static bool retry_eintr(void)
{
	return errno == EINTR && signals_count() == 0;
}

ssize_t fdio_read(struct fdio *f, uint8_t *out, size_t len)
{
	if (f->pos == f->len) {
		ssize_t n;
		do
			n = read(f->fd, f->buf, f->cap);
		while (n < 0 && retry_eintr());
		if (n <= 0)
			return n;
		f->pos = 0;
		f->len = (size_t)n;
	}
	size_t take = f->len - f->pos < len ? f->len - f->pos : len;
	memcpy(out, f->buf + f->pos, take);
	f->pos += take;
	return (ssize_t)take;
}

bool fdio_flush(struct fdio *f)
{
	size_t done = 0;
	while (done < f->len) {
		ssize_t n = write(f->fd, f->buf + done, f->len - done);
		if (n < 0 && retry_eintr())
			continue;
		if (n < 0)
			return false;
		done += (size_t)n;
	}
	f->len = 0;
	return true;
}

bool fdio_write(struct fdio *f, const uint8_t *data, size_t len)
{
	while (len > 0) {
		if (f->len == f->cap && !fdio_flush(f))
			return false;
		size_t take = f->cap - f->len < len ? f->cap - f->len : len;
		memcpy(f->buf + f->len, data, take);
		f->len += take;
		data += take;
		len -= take;
	}
	return true;
}
