/*
 * serve.c - handle one request synchronously against a disk.
 */
#include "serve.h"

int target_do_io(struct disk *disk, const struct target_request *req)
{
	int result = 0;
	switch (req->io_op) {
	case TARGET_IO_READ:
		return disk_read(disk, req->io_data, req->io_offset, req->io_len);
	case TARGET_IO_WRITE:
		result = disk_write(disk, req->io_data, req->io_offset, req->io_len);
		if (result == 0 && req->io_stable)
			result = disk_flush(disk);
		return result;
	case TARGET_IO_FLUSH:
		return disk_flush(disk);
	case TARGET_IO_NONE:
		break;
	}
	return 0;
}

size_t target_serve(struct target *t, struct disk *disk, struct target_request *req)
{
	switch (target_handle(t, req)) {
	case TARGET_DROP:
		return 0;
	case TARGET_REPLY:
		return req->len;
	case TARGET_NEEDS_IO:
		target_complete(t, req, target_do_io(disk, req));
		return req->len;
	}
	return 0;
}
