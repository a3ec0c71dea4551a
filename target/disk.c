/*
 * disk.c - file, block device and memory backends for an export.
 */
#include "disk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "aoe.h"

/* ---- file and block device ---- */

static int file_read(struct disk *disk, void *buf, uint64_t offset, size_t len)
{
	uint8_t *dst = buf;
	while (len > 0) {
		ssize_t got = pread(disk->fd, dst, len, (off_t)(disk->base_offset + offset));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return -EIO; /* the file shrank under us */
		dst += got;
		offset += (uint64_t)got;
		len -= (size_t)got;
	}
	return 0;
}

static int file_write(struct disk *disk, const void *buf, uint64_t offset, size_t len)
{
	const uint8_t *src = buf;
	if (disk->read_only)
		return -EROFS;
	while (len > 0) {
		ssize_t put = pwrite(disk->fd, src, len, (off_t)(disk->base_offset + offset));
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return put < 0 ? -errno : -EIO;
		src += put;
		offset += (uint64_t)put;
		len -= (size_t)put;
	}
	return 0;
}

enum { DISK_IOV_MAX = 64 };

/*
 * preadv2/pwritev2 until every buffer is done: a regular file may do less than
 * asked.  With RWF_NOWAIT a part that would wait ends it with -EAGAIN.
 */
static int file_rw_vector(struct disk *disk, const struct iovec *iov, unsigned count,
			  uint64_t offset, bool write, int flags)
{
	struct iovec left[DISK_IOV_MAX];
	if (count > DISK_IOV_MAX)
		return -EINVAL;
	memcpy(left, iov, count * sizeof(*iov));
	struct iovec *cur = left;
	while (count > 0) {
		off_t at = (off_t)(disk->base_offset + offset);
		ssize_t done = write ? pwritev2(disk->fd, cur, (int)count, at, flags)
				     : preadv2(disk->fd, cur, (int)count, at, flags);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -errno;
		if (done == 0)
			return -EIO; /* the file shrank under us */
		offset += (uint64_t)done;
		while (count > 0 && (size_t)done >= cur->iov_len) {
			done -= (ssize_t)cur->iov_len;
			cur++;
			count--;
		}
		if (count > 0) {
			cur->iov_base = (uint8_t *)cur->iov_base + done;
			cur->iov_len -= (size_t)done;
		}
	}
	return 0;
}

static int file_readv(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset)
{
	return file_rw_vector(disk, iov, count, offset, false, 0);
}

static int file_writev(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset)
{
	if (disk->read_only)
		return -EROFS;
	return file_rw_vector(disk, iov, count, offset, true, 0);
}

static int file_flush(struct disk *disk)
{
	if (disk->read_only)
		return 0;
	return fdatasync(disk->fd) < 0 ? -errno : 0;
}

static void file_close(struct disk *disk)
{
	if (disk->fd >= 0)
		close(disk->fd);
	disk->fd = -1;
}

static const struct disk_ops file_ops = {
	.read = file_read,
	.write = file_write,
	.flush = file_flush,
	.close = file_close,
};

/* ---- vectored access, for every backend ---- */

int disk_readv(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset)
{
	if (disk->ops == &file_ops)
		return file_readv(disk, iov, count, offset);
	for (unsigned i = 0; i < count; offset += iov[i].iov_len, i++) {
		int result = disk_read(disk, iov[i].iov_base, offset, iov[i].iov_len);
		if (result < 0)
			return result;
	}
	return 0;
}

int disk_writev(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset)
{
	if (disk->ops == &file_ops)
		return file_writev(disk, iov, count, offset);
	for (unsigned i = 0; i < count; offset += iov[i].iov_len, i++) {
		int result = disk_write(disk, iov[i].iov_base, offset, iov[i].iov_len);
		if (result < 0)
			return result;
	}
	return 0;
}

int disk_try_readv(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset)
{
	if (disk->wait == DISK_NEVER_WAITS)
		return disk_readv(disk, iov, count, offset);
	if (disk->wait == DISK_ALWAYS_WAITS || disk->ops != &file_ops)
		return -EAGAIN;
	int result = file_rw_vector(disk, iov, count, offset, false, RWF_NOWAIT);
	return result == -EOPNOTSUPP ? -EAGAIN : result;
}

int disk_try_writev(struct disk *disk, const struct iovec *iov, unsigned count, uint64_t offset)
{
	if (disk->wait == DISK_NEVER_WAITS)
		return disk_writev(disk, iov, count, offset);
	/* Atomic: with --threads every loop may learn this of a shared disk at once. */
	if (disk->wait == DISK_ALWAYS_WAITS || disk->ops != &file_ops ||
	    __atomic_load_n(&disk->nowait_write_refused, __ATOMIC_RELAXED))
		return -EAGAIN;
	if (disk->read_only)
		return -EROFS;
	int result = file_rw_vector(disk, iov, count, offset, true, RWF_NOWAIT);
	/* Most file systems refuse buffered writes that must not wait: stop asking. */
	if (result == -EOPNOTSUPP)
		__atomic_store_n(&disk->nowait_write_refused, true, __ATOMIC_RELAXED);
	return result == -EOPNOTSUPP ? -EAGAIN : result;
}

/* Memory file systems never wait for a device; a block device node lives on devtmpfs but does. */
static enum disk_wait wait_kind(int fd, const struct stat *st, unsigned flags)
{
	if (flags & DISK_DIRECT)
		return DISK_ALWAYS_WAITS;
	struct statfs fs;
	if (S_ISREG(st->st_mode) && fstatfs(fd, &fs) == 0 &&
	    (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC))
		return DISK_NEVER_WAITS;
	return DISK_MAY_WAIT;
}

static int size_in_bytes(int fd, const struct stat *st, uint64_t *bytes)
{
	if (S_ISREG(st->st_mode)) {
		*bytes = (uint64_t)st->st_size;
		return 0;
	}
	if (S_ISBLK(st->st_mode)) {
		/* A block device's st_size is 0: ask the device. */
		return ioctl(fd, BLKGETSIZE64, bytes) < 0 ? -errno : 0;
	}
	return -EINVAL;
}

static int open_fail(struct disk *disk, char *err, size_t err_len, const char *path,
		     const char *reason)
{
	snprintf(err, err_len, "%s: %s", path, reason);
	if (disk->fd >= 0)
		close(disk->fd);
	disk->fd = -1;
	return -1;
}

int disk_open_file(struct disk *disk, const char *path, unsigned flags, uint64_t offset_sectors,
		   uint64_t length_sectors, char *err, size_t err_len)
{
	memset(disk, 0, sizeof(*disk));
	disk->ops = &file_ops;
	disk->read_only = (flags & DISK_READ_ONLY) != 0;
	int open_flags = (disk->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	if (flags & DISK_DIRECT)
		open_flags |= O_DIRECT;
	if (flags & DISK_SYNC)
		open_flags |= O_SYNC;
	disk->fd = open(path, open_flags);
	if (disk->fd < 0)
		return open_fail(disk, err, err_len, path, strerror(errno));

	struct stat st;
	uint64_t bytes = 0;
	if (fstat(disk->fd, &st) < 0)
		return open_fail(disk, err, err_len, path, strerror(errno));
	if (size_in_bytes(disk->fd, &st, &bytes) < 0)
		return open_fail(disk, err, err_len, path, "not a regular file or block device");
	uint64_t file_sectors = bytes / AOE_SECTOR_SIZE;
	if (file_sectors == 0)
		return open_fail(disk, err, err_len, path,
				 "smaller than one 512-byte sector (grow it, e.g. truncate -s 64M FILE)");
	if (offset_sectors >= file_sectors) {
		char reason[128];
		snprintf(reason, sizeof(reason), "offset %llu is at or past the end (%llu sectors)",
			 (unsigned long long)offset_sectors, (unsigned long long)file_sectors);
		return open_fail(disk, err, err_len, path, reason);
	}
	uint64_t available = file_sectors - offset_sectors;
	if (length_sectors > available) {
		char reason[160];
		snprintf(reason, sizeof(reason),
			 "length %llu sectors does not fit after offset %llu (%llu sectors available)",
			 (unsigned long long)length_sectors, (unsigned long long)offset_sectors,
			 (unsigned long long)available);
		return open_fail(disk, err, err_len, path, reason);
	}
	disk->base_offset = offset_sectors * AOE_SECTOR_SIZE;
	disk->sectors = length_sectors ? length_sectors : available;
	disk->wait = wait_kind(disk->fd, &st, flags);
	return 0;
}

/* ---- memory ---- */

static int memory_read(struct disk *disk, void *buf, uint64_t offset, size_t len)
{
	memcpy(buf, disk->memory + offset, len);
	return 0;
}

static int memory_write(struct disk *disk, const void *buf, uint64_t offset, size_t len)
{
	if (disk->read_only)
		return -EROFS;
	memcpy(disk->memory + offset, buf, len);
	return 0;
}

static int memory_flush(struct disk *disk)
{
	(void)disk;
	return 0;
}

static void memory_close(struct disk *disk)
{
	free(disk->memory);
	disk->memory = NULL;
}

static const struct disk_ops memory_ops = {
	.read = memory_read,
	.write = memory_write,
	.flush = memory_flush,
	.close = memory_close,
};

int disk_open_memory(struct disk *disk, uint64_t sectors, bool read_only)
{
	memset(disk, 0, sizeof(*disk));
	disk->ops = &memory_ops;
	disk->wait = DISK_NEVER_WAITS;
	disk->fd = -1;
	disk->sectors = sectors;
	disk->read_only = read_only;
	disk->memory = calloc(sectors ? sectors : 1, AOE_SECTOR_SIZE);
	return disk->memory ? 0 : -ENOMEM;
}
