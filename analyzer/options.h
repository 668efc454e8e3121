/* Everything the command line sets. */
#ifndef ESPREKEY_OPTIONS_H
#define ESPREKEY_OPTIONS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "dissect/packet.h"

#define ESPREKEY_VERSION "0.1.0"

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
	/* gboolean: GOptionContext writes an int through these */
	gboolean json;
	gboolean quiet;           /* no text report (with --out or --json) */
	gboolean batch;
	gboolean rotated;         /* --batch: files whose names differ only in numbers are one capture */
	gboolean version;         /* --version: print it and exit */           /* each capture (and every capture under a directory) on its own */
	int jobs;                 /* worker threads for --batch */
	unsigned shard_index, shard_count; /* --shard K/N: every N-th capture from the K-th; 0 = all */
};

/* Parses argv; on a usage error prints one line to stderr and returns false. */
bool options_parse(struct options *o, int *argc, char ***argv);
void options_free(struct options *o);
/* "100ms", "1s", "2.5s", "500us", a bare number = seconds. */
bool parse_duration(const char *s, uint64_t *ns);
bool parse_addr(const char *s, struct addr *a);

#endif
