#include "analyzer/options.h"
#include "analyzer/correlate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !(v > 0) || !isfinite(v))
		return false;
	double unit;
	if (*end == '\0' || strcmp(end, "s") == 0)
		unit = 1e9;
	else if (strcmp(end, "ms") == 0)
		unit = 1e6;
	else if (strcmp(end, "us") == 0)
		unit = 1e3;
	else if (strcmp(end, "ns") == 0)
		unit = 1;
	else if (strcmp(end, "min") == 0)
		unit = 60e9;
	else
		return false;
	double r = v * unit;
	if (r < 1 || r > 1e18)
		return false;
	*ns = (uint64_t)llround(r);
	return true;
}

bool parse_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->family = 6;
		return true;
	}
	return false;
}

static bool parse_count(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (end == s || *end || errno || s[0] == '-')
		return false;
	*v = x;
	return true;
}

bool options_parse(struct options *o, int *argc, char ***argv)
{
	char *client = NULL, *window = NULL, *baseline = NULL, *corr = NULL;
	char *life_kb = NULL, *life_s = NULL, *shard = NULL;
	double threshold = 0.3;
	int consumed = 0;
	memset(o, 0, sizeof(*o));
	o->jobs = 1;
	GOptionEntry entries[] = {
		{ "keys", 'k', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->key_files,
		  "Key file (Wireshark esp_sa / ikev1_decryption_table / ikev2_decryption_table lines, "
		  "Yamaha 'show ipsec sa' output, skeyid_d/skeyid_a/sk_d lines); repeatable", "FILE" },
		{ "client", 'c', 0, G_OPTION_ARG_STRING, &client,
		  "The VPN client's outer address (default: the IKE initiator); 'up' = client to server", "ADDR" },
		{ "lifetime-kb", 0, 0, G_OPTION_ARG_STRING, &life_kb,
		  "Byte lifetime assumed when none is negotiated, in KB (default 250000)", "N" },
		{ "lifetime-s", 0, 0, G_OPTION_ARG_STRING, &life_s,
		  "Time lifetime assumed when none is negotiated, in seconds (default 3600)", "N" },
		{ "window", 'w', 0, G_OPTION_ARG_STRING, &window,
		  "Throughput window (default 100ms; units ns, us, ms, s, min)", "DURATION" },
		{ "baseline", 0, 0, G_OPTION_ARG_STRING, &baseline,
		  "Dip baseline: rolling median over this span on each side (default 3s)", "DURATION" },
		{ "dip-threshold", 0, 0, G_OPTION_ARG_DOUBLE, &threshold,
		  "A window is in a dip when it is this fraction or more below its baseline (default 0.3)", "F" },
		{ "corr-window", 0, 0, G_OPTION_ARG_STRING, &corr,
		  "A dip starting within this time after a rekey follows it (default 1s)", "DURATION" },
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out_dir,
		  "Write rekeys.csv, sas.csv, throughput.csv, dips.csv and timeline.svg into DIR", "DIR" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "Print the analysis as JSON instead of text", NULL },
		{ "batch", 'b', 0, G_OPTION_ARG_NONE, &o->batch,
		  "Analyze each capture on its own (directories: every .pcap/.pcapng/.cap[.gz] under them); "
		  "one summary line each, and with --out a folder each plus batch.csv", NULL },
		{ "rotated", 'r', 0, G_OPTION_ARG_NONE, &o->rotated,
		  "With --batch: files of one directory whose names differ only in their numbers "
		  "(tcpdump -C/-G, ring buffers) are one capture, read in number order", NULL },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &o->jobs, "With --batch: analyze N captures at once (default 1; 0 = one per CPU)", "N" },
		{ "shard", 0, 0, G_OPTION_ARG_STRING, &shard,
		  "With --batch: only every N-th capture in path order, starting with the K-th (1 <= K <= N)", "K/N" },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &o->version, "Print the version and exit", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, "No text report on standard output (with --out or --json)", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->captures, NULL, "CAPTURE..." },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx = g_option_context_new("- Phase 2 rekeys and throughput dips in IPsec captures");
	g_option_context_set_summary(ctx,
		"Reads pcap/pcapng captures of IKE/ESP traffic (\"-\" = standard input; several files are\n"
		"read as one capture, in the order given), finds every IPsec Phase 2 rekey, its cause,\n"
		"the throughput per direction and the dips that follow rekeys.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	bool ok = g_option_context_parse(ctx, argc, argv, &err);
	g_option_context_free(ctx);
	char msg[256] = "";
	o->window_ns = 100000000ull;
	o->baseline_ns = 3000000000ull;
	o->corr_window_ns = CORR_DEFAULT_AFTER_NS;
	o->lifetime_kb = 250000;
	o->lifetime_s = 3600;
	o->dip_threshold = threshold;
	const struct { const char *name, *value; uint64_t *ns; } durations[] = {
		{ "--window", window, &o->window_ns },
		{ "--baseline", baseline, &o->baseline_ns },
		{ "--corr-window", corr, &o->corr_window_ns },
	};
	if (!ok) {
		snprintf(msg, sizeof(msg), "%s", err->message);
		g_error_free(err);
	} else if (o->version) {
		/* nothing to check: main prints it */
	} else if (!o->captures || !o->captures[0]) {
		snprintf(msg, sizeof(msg), "no capture file given (try --help)");
	} else if (o->quiet && !o->out_dir && !o->json) {
		snprintf(msg, sizeof(msg), "--quiet without --out or --json would write nothing");
	} else if (client && !parse_addr(client, &o->client)) {
		snprintf(msg, sizeof(msg), "--client: '%s' is not an IPv4 or IPv6 address", client);
	} else if (life_kb && (!parse_count(life_kb, &o->lifetime_kb) || o->lifetime_kb == 0)) {
		snprintf(msg, sizeof(msg), "--lifetime-kb: '%s' is not a positive whole number", life_kb);
	} else if (life_s && (!parse_count(life_s, &o->lifetime_s) || o->lifetime_s == 0)) {
		snprintf(msg, sizeof(msg), "--lifetime-s: '%s' is not a positive whole number", life_s);
	} else if (shard && (sscanf(shard, "%u/%u%n", &o->shard_index, &o->shard_count, &consumed) != 2 ||
			     shard[consumed] || o->shard_count == 0 || o->shard_index < 1 ||
			     o->shard_index > o->shard_count)) {
		snprintf(msg, sizeof(msg), "--shard: '%s' is not K/N with 1 <= K <= N", shard);
	} else if ((shard || o->jobs != 1 || o->rotated) && !o->batch) {
		snprintf(msg, sizeof(msg), "--jobs, --shard and --rotated go with --batch");
	} else if (o->jobs < 0) {
		snprintf(msg, sizeof(msg), "--jobs: %d is not 0 or more", o->jobs);
	} else if (!(threshold > 0 && threshold < 1)) {
		snprintf(msg, sizeof(msg), "--dip-threshold: %g is not between 0 and 1", threshold);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(durations) && !msg[0]; i++)
		if (durations[i].value && !parse_duration(durations[i].value, durations[i].ns))
			snprintf(msg, sizeof(msg), "%s: '%s' is not a duration (e.g. 100ms, 1s)",
				 durations[i].name, durations[i].value);
	g_free(client);
	g_free(window);
	g_free(baseline);
	g_free(corr);
	g_free(life_kb);
	g_free(life_s);
	g_free(shard);
	if (o->jobs == 0)
		o->jobs = (int)g_get_num_processors();
	if (msg[0]) {
		fprintf(stderr, "esprekey: %s\n", msg);
		options_free(o);
		return false;
	}
	return true;
}

void options_free(struct options *o)
{
	g_strfreev(o->captures);
	g_strfreev(o->key_files);
	g_free(o->out_dir);
}
