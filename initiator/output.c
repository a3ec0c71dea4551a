/*
 * output.c - escaping for text and JSON.
 */
#include "output.h"

#include <stdbool.h>
#include <string.h>

static int is_printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

/* A quoted string; non-printable bytes use the escape of the output's syntax. */
static void quote(FILE *out, const uint8_t *bytes, size_t len, bool json)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = bytes[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (is_printable(c))
			fputc(c, out);
		else
			fprintf(out, json ? "\\u%04x" : "\\x%02x", c);
	}
	fputc('"', out);
}

void output_quoted(FILE *out, const uint8_t *bytes, size_t len)
{
	quote(out, bytes, len, false);
}

void output_json_string(FILE *out, const uint8_t *bytes, size_t len)
{
	quote(out, bytes, len, true);
}

void output_json_cstring(FILE *out, const char *text)
{
	output_json_string(out, (const uint8_t *)text, strlen(text));
}

void output_hexdump(FILE *out, const uint8_t *bytes, size_t len)
{
	for (size_t line = 0; line < len; line += 16) {
		fprintf(out, "%04zx ", line);
		for (size_t i = line; i < line + 16; i++) {
			if (i < len)
				fprintf(out, " %02x", bytes[i]);
			else
				fputs("   ", out);
		}
		fputs("  |", out);
		for (size_t i = line; i < line + 16 && i < len; i++)
			fputc(is_printable(bytes[i]) ? bytes[i] : '.', out);
		fputs("|\n", out);
	}
}
