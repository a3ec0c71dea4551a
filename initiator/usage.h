/*
 * usage.h - the --help text (the man page, aoe-initiator(1), says more).
 */
#ifndef AOEKIT_INITIATOR_USAGE_H
#define AOEKIT_INITIATOR_USAGE_H

extern const char usage_text[];

#endif
