/*
 * output.h - writing target-supplied bytes safely: quoted C-style strings for
 * text output, JSON strings, hex dumps.  A config string is whatever the
 * target sent, so nothing is printed raw.
 */
#ifndef AOEKIT_INITIATOR_OUTPUT_H
#define AOEKIT_INITIATOR_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "text" with \" \\ \n \t and \xNN for anything not printable ASCII. */
void output_quoted(FILE *out, const uint8_t *bytes, size_t len);
/* A JSON string literal; bytes above 0x7f become \u00XX (Latin-1), so the output is always valid JSON. */
void output_json_string(FILE *out, const uint8_t *bytes, size_t len);
void output_json_cstring(FILE *out, const char *text);
/* 16 bytes a line: offset, hex, ASCII. */
void output_hexdump(FILE *out, const uint8_t *bytes, size_t len);

#endif
