/*
 * signals.c - a counter and the first signal's number; nothing else is safe in a handler.
 */
#include "signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t caught;
static volatile sig_atomic_t first_signal;

static void on_signal(int sig)
{
	if (caught == 0)
		first_signal = sig;
	if (caught < 1000)
		caught++;
}

void signals_catch(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;  /* no SA_RESTART: blocking reads return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

unsigned signals_count(void)
{
	return (unsigned)caught;
}

int signals_exit_code(void)
{
	return 128 + (first_signal ? first_signal : SIGINT);
}
