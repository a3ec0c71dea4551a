/*
 * main.c - aoe-initiator: parse the command line, run the subcommand.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	struct cli_options opts;
	int rc = cli_parse(argc, argv, &opts);
	if (rc >= 0)
		return rc;
	return cli_run(&opts);
}
