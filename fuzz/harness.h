/*
 * harness.h - what every fuzz harness provides, and the one way it fails.
 *
 * A harness is a single LLVMFuzzerTestOneInput.  The same object links three
 * ways: with libFuzzer's own main (clang -fsanitize=fuzzer), with driver.c's
 * main for AFL++ persistent mode (afl-clang-fast), and with driver.c's main as
 * a plain program that replays files (regressions, corpus checks).
 */
#ifndef AOEKIT_FUZZ_HARNESS_H
#define AOEKIT_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A broken property is a crash: abort() is what AFL++, libFuzzer and the
 * sanitizers all report with a stack trace, so a property violation is saved
 * and minimised exactly like a memory error.
 */
#define FUZZ_CHECK(cond, ...)                                                        \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: property failed: %s: ", __FILE__,   \
				__LINE__, #cond);                                    \
			fprintf(stderr, __VA_ARGS__);                                \
			fputc('\n', stderr);                                         \
			abort();                                                     \
		}                                                                    \
	} while (0)

#endif
