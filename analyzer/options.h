/* Everything the command line sets. */
#ifndef ESPREKEY_OPTIONS_H
#define ESPREKEY_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/packet.h"

struct options {
	char **captures;          /* one or more files read as one capture, "-" = stdin */
	char **key_files;
	struct addr client;       /* family 0 = not given */
	uint64_t lifetime_kb;
	uint64_t lifetime_s;
	uint64_t window_ns;
	uint64_t baseline_ns;
	double dip_threshold;
	uint64_t corr_window_ns;
	char *out_dir;
	bool json;
	bool quiet;               /* no text report (with --out or --json) */
};

/* Parses argv; on a usage error prints one line to stderr and returns false. */
bool options_parse(struct options *o, int *argc, char ***argv);
void options_free(struct options *o);
/* "100ms", "1s", "2.5s", "500us", a bare number = seconds. */
bool parse_duration(const char *s, uint64_t *ns);
bool parse_addr(const char *s, struct addr *a);

#endif
