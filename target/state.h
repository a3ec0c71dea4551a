/*
 * state.h - what a client may change (config string, MAC mask list, reserve
 * list) kept in a small text file, so it survives a restart.
 *
 *   aoe-target-state 1
 *   config 68656c6c6f          (hex; the string may hold any byte)
 *   mask 00:11:22:33:44:55
 *   reserve 00:11:22:33:44:55
 */
#ifndef AOEKIT_STATE_H
#define AOEKIT_STATE_H

#include <stddef.h>

#include "handler.h"

/* Load path into t; a missing file is an empty state. Returns 0, or -1 with err. */
int state_load(struct target *t, const char *path, char *err, size_t err_len);

/* Replace path atomically (write, fsync, rename). Returns 0 or a negative errno. */
int state_save(const struct target *t, const char *path);

#endif
