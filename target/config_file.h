/*
 * config_file.h - aoe-target's -c file: several exports in one process.
 *
 *   # comment
 *   state-dir /var/lib/aoe-target
 *   export [options] IFACE[,IFACE...] SHELF SLOT FILE
 *
 * An export line takes the words of aoe-target's own command line.
 */
#ifndef AOEKIT_CONFIG_FILE_H
#define AOEKIT_CONFIG_FILE_H

#include <stdbool.h>

#include "options.h"

/* Read path into opts; prints "FILE:LINE: problem" and returns false on error. */
bool config_file_read(const char *path, struct target_options *opts);

#endif
