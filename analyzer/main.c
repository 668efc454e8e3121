/* esprekey: the whole flow on one screen. */
#include <gcrypt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyzer/analysis.h"
#include "analyzer/batch.h"
#include "analyzer/options.h"
#include "analyzer/report.h"
#include "analyzer/secrets.h"
#include "keys/esp_crypto.h"
#include "keys/keystore.h"

/* Key files, then ESP keys carried in the captures themselves. 0 or 2. */
static int load_keys(const struct options *opt, struct keystore **keys, char **err)
{
	GError *e = NULL;
	for (char **path = opt->key_files; path && *path && !e; path++) {
		if (!*keys)
			*keys = keystore_new();
		keystore_load_file(*keys, *path, &e);
	}
	unsigned loaded;
	for (char **path = opt->captures; *path && !e; path++)
		capture_load_secrets(*path, keys, &loaded, &e);
	if (!e)
		return 0;
	*err = g_strdup(e->message);
	g_error_free(e);
	return 2;
}

/* Every capture in order, as one.  0 or 1. */
static int read_captures(struct analysis *a, const struct options *opt, char **err)
{
	for (char **path = opt->captures; *path; path++)
		if (!analysis_read(a, *path, err))
			return 1;
	if (a->tracker.frames == 0) {
		*err = g_strdup_printf("%s: the capture holds no packets", opt->captures[0]);
		return 1;
	}
	return 0;
}

static int write_reports(const struct analysis *a, const struct options *opt, char **err)
{
	if (opt->out_dir && !report_csv(a, opt->out_dir, err))
		return 1;
	if (opt->json)
		report_json(a, stdout);
	else if (!opt->quiet)
		report_text(a, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt;
	if (!options_parse(&opt, &argc, &argv))
		return 2;
	if (opt.version) {
		printf("esprekey %s (%s, libgcrypt %s, GLib %u.%u.%u)\n", ESPREKEY_VERSION, pcap_lib_version(),
		       gcry_check_version(NULL), glib_major_version, glib_minor_version, glib_micro_version);
		options_free(&opt);
		return 0;
	}
	esprekey_gcrypt_init();
	if (opt.batch) {
		int status = batch_run(&opt);
		options_free(&opt);
		return status;
	}

	struct keystore *keys = NULL;
	char *err = NULL;
	int status = load_keys(&opt, &keys, &err);
	struct analysis a;
	analysis_init(&a, &opt, keys);
	if (status == 0)
		status = read_captures(&a, &opt, &err);
	if (status == 0) {
		analysis_finish(&a);
		status = write_reports(&a, &opt, &err);
	}
	if (err)
		fprintf(stderr, "esprekey: %s\n", err);

	g_free(err);
	analysis_free(&a);
	if (keys)
		keystore_free(keys);
	options_free(&opt);
	return status;
}
