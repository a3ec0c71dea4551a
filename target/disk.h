/*
 * disk.h - the export's backing store, behind one small interface so the
 * request handler can be driven with a file, a block device or memory.
 *
 * Offsets and lengths are in bytes relative to the start of the export (the
 * -o offset into the file is applied here, not by callers).  Every function
 * returns 0 or a negative errno.
 */
#ifndef AOEKIT_DISK_H
#define AOEKIT_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct disk;
struct iovec;

struct disk_ops {
	int (*read)(struct disk *disk, void *buf, uint64_t offset, size_t len);
	int (*write)(struct disk *disk, const void *buf, uint64_t offset, size_t len);
	int (*flush)(struct disk *disk);
	void (*close)(struct disk *disk);
};

/*
 * How I/O on a disk may wait, which decides how the event loop does it:
 * synchronously (a copy that cannot wait for a device), or asynchronously.
 */
enum disk_wait {
	DISK_NEVER_WAITS,       /* memory, tmpfs, ramfs: every access is a memory copy */
	DISK_MAY_WAIT,          /* page cache in front of a device: try without waiting first */
	DISK_ALWAYS_WAITS,      /* O_DIRECT: every access goes to the device */
};

struct disk {
	const struct disk_ops *ops;
	uint64_t sectors;       /* size of the export */
	bool read_only;
	enum disk_wait wait;
	bool nowait_write_refused; /* the file system does not take RWF_NOWAIT writes */
	/* file backend */
	int fd;
	uint64_t base_offset;   /* bytes skipped at the start of the file (-o) */
	/* memory backend */
	uint8_t *memory;
};

enum {
	DISK_DIRECT = 1 << 0,   /* O_DIRECT */
	DISK_SYNC = 1 << 1,     /* O_SYNC */
	DISK_READ_ONLY = 1 << 2,
};

/*
 * Open FILE (regular file or block device).  offset_sectors skips the start;
 * length_sectors limits the export (0: to the end).  On failure returns -1 and
 * writes a one-line reason into err.
 */
int disk_open_file(struct disk *disk, const char *path, unsigned flags, uint64_t offset_sectors,
		   uint64_t length_sectors, char *err, size_t err_len);

/* A zero-filled disk in memory, for tests and fuzzers. Returns 0 or -ENOMEM. */
int disk_open_memory(struct disk *disk, uint64_t sectors, bool read_only);

static inline int disk_read(struct disk *disk, void *buf, uint64_t offset, size_t len)
{
	return disk->ops->read(disk, buf, offset, len);
}
static inline int disk_write(struct disk *disk, const void *buf, uint64_t offset, size_t len)
{
	return disk->ops->write(disk, buf, offset, len);
}
static inline int disk_flush(struct disk *disk) { return disk->ops->flush(disk); }

/*
 * Vectored read and write: count buffers filled from or stored at offset, in
 * order (one preadv/pwritev for a file; read/write per buffer otherwise).
 */
int disk_readv(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset);
int disk_writev(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset);

/*
 * Only if it can be done without waiting for the device (the page cache has
 * it): 0, -EAGAIN when it would wait (nothing useful done), or another -errno.
 */
int disk_try_readv(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset);
int disk_try_writev(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset);
static inline void disk_close(struct disk *disk) { disk->ops->close(disk); }

#endif
