/*
 * fdio.h - buffered reads and writes on a file descriptor, for the data of
 * read and write: one system call per megabyte rather than per frame.
 *
 * A signal (Ctrl-C) interrupts a blocking read or write: it returns -1 with
 * errno EINTR once signals.h has counted one, so a transfer waiting on a
 * silent pipe can still stop.
 */
#ifndef AOEKIT_INITIATOR_FDIO_H
#define AOEKIT_INITIATOR_FDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fdio {
	int fd;
	const char *name;       /* for messages: a path, "standard input" */
	uint8_t *buf;
	size_t cap, len, pos;   /* reading: buf[pos, len) is unread; writing: buf[0, len) is pending */
};

bool fdio_init(struct fdio *f, int fd, const char *name);
void fdio_free(struct fdio *f);
/* Up to len bytes; 0 at the end of input, -1 with errno on failure. */
ssize_t fdio_read(struct fdio *f, uint8_t *out, size_t len);
/* All of it, or false with errno. */
bool fdio_write(struct fdio *f, const uint8_t *data, size_t len);
bool fdio_flush(struct fdio *f);

#endif
