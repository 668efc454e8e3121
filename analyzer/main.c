/* esprekey: the whole flow on one screen. */
#include <stdio.h>
#include <stdlib.h>

#include "analyzer/analysis.h"
#include "analyzer/options.h"
#include "analyzer/report.h"
#include "analyzer/secrets.h"
#include "keys/keystore.h"

int main(int argc, char **argv)
{
	struct options opt;
	if (!options_parse(&opt, &argc, &argv))
		return 2;

	struct keystore *keys = NULL;
	for (char **path = opt.key_files; path && *path; path++) {
		GError *err = NULL;
		if (!keys)
			keys = keystore_new();
		if (!keystore_load_file(keys, *path, &err)) {
			fprintf(stderr, "esprekey: %s\n", err->message);
			return 2;
		}
	}

	for (char **path = opt.captures; *path; path++) {
		GError *err = NULL;
		unsigned loaded;
		if (!capture_load_secrets(*path, &keys, &loaded, &err)) {
			fprintf(stderr, "esprekey: %s\n", err->message);
			return 2;
		}
	}

	struct analysis a;
	analysis_init(&a, &opt, keys);
	for (char **path = opt.captures; *path; path++) {
		char *err = NULL;
		if (!analysis_read(&a, *path, &err)) {
			fprintf(stderr, "esprekey: %s\n", err);
			return 1;
		}
	}
	if (a.tracker.frames == 0) {
		fprintf(stderr, "esprekey: %s: the capture holds no packets\n", opt.captures[0]);
		return 1;
	}
	analysis_finish(&a);

	int status = 0;
	if (opt.out_dir) {
		char *err = NULL;
		if (!report_csv(&a, opt.out_dir, &err)) {
			fprintf(stderr, "esprekey: %s\n", err);
			status = 1;
		}
	}
	if (opt.json)
		report_json(&a, stdout);
	else if (!opt.quiet)
		report_text(&a, stdout);

	analysis_free(&a);
	if (keys)
		keystore_free(keys);
	options_free(&opt);
	return status;
}
