/* Batch runs over archives: every capture under the given files and
 * directories is analyzed on its own, on a pool of worker threads, and one
 * summary line per capture comes out in path order whatever finished first.
 * --shard K/N takes every N-th capture, for cluster schedulers. */
#include "analyzer/batch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "analyzer/fmt.h"
#include "analyzer/report.h"
#include "analyzer/secrets.h"
#include "keys/keystore.h"

struct batch_job {
	char *path;                 /* the capture, or the first file of a rotated set */
	GPtrArray *parts;           /* every file of the capture, in order (borrowed strings; NULL-terminated) */
	const struct options *opt;
	int status;                 /* 0 ok, 1 input error, 2 key error */
	char *error;
	/* summary */
	uint64_t frames;
	unsigned tunnels, rekeys, cause[3], new_ike_sas, dips, rekey_dips;
	uint64_t transferred, rekey_lost;
	char *verdict;
};

static const char *const CAPTURE_SUFFIXES[] = { ".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".cap.gz" };

/* tcpdump -C appends the file's number after the suffix: wan.pcap12 */
static bool is_capture_name(const char *name)
{
	char *base = g_strdup(name);
	size_t n = strlen(base);
	while (n && g_ascii_isdigit(base[n - 1]))
		base[--n] = '\0';
	bool ok = false;
	for (size_t i = 0; i < G_N_ELEMENTS(CAPTURE_SUFFIXES) && !ok; i++)
		ok = g_str_has_suffix(base, CAPTURE_SUFFIXES[i]);
	g_free(base);
	return ok;
}

static bool collect(const char *path, GPtrArray *out, char **err)
{
	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_ptr_array_add(out, g_strdup(path));
		return true;
	}
	GError *e = NULL;
	GDir *dir = g_dir_open(path, 0, &e);
	if (!dir) {
		*err = g_strdup_printf("%s: %s", path, e->message);
		g_error_free(e);
		return false;
	}
	const char *name;
	bool ok = true;
	while (ok && (name = g_dir_read_name(dir))) {
		char *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			ok = collect(child, out, err);
		else if (is_capture_name(name))
			g_ptr_array_add(out, g_strdup(child));
		g_free(child);
	}
	g_dir_close(dir);
	return ok;
}

static gint path_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* DIR/<the capture's path with / as _> for each capture's CSVs. */
static char *job_out_dir(const struct options *o, const char *path)
{
	char *flat = g_strdup(path);
	for (char *p = flat; *p; p++)
		if (*p == '/')
			*p = '_';
	char *dir = g_build_filename(o->out_dir, flat[0] == '_' ? flat + 1 : flat, NULL);
	g_free(flat);
	return dir;
}

static void summarize(struct batch_job *job, const struct analysis *a)
{
	GString *verdicts = g_string_new(NULL);
	job->frames = a->tracker.frames;
	job->tunnels = a->tunnels->len;
	for (guint i = 0; i < a->tunnels->len; i++) {
		const struct tunnel_analysis *ta = g_ptr_array_index(a->tunnels, i);
		job->rekeys += ta->rekeys->len;
		for (guint j = 0; j < ta->rekeys->len; j++)
			job->cause[g_array_index(ta->rekeys, struct rekey, j).cause]++;
		job->new_ike_sas += ta->tun->ike_sas->len > 1 ? ta->tun->ike_sas->len - 1 : 0;
		for (int d = 0; d < 2; d++) {
			job->dips += ta->dips[d].episodes->len;
			job->rekey_dips += (unsigned)ta->corr.linked_dips[d];
		}
		job->transferred += ta->corr.transferred_total;
		job->rekey_lost += ta->corr.linked_lost_total;
		char v[512];
		tunnel_verdict(a, ta, v, sizeof(v));
		g_string_append_printf(verdicts, "%stunnel %d: %s", i ? "; " : "", ta->tun->index, v);
	}
	job->verdict = g_string_free(verdicts, FALSE);
}

static void run_job(gpointer data, gpointer user_data)
{
	struct batch_job *job = data;
	struct options one = *job->opt;
	one.captures = (char **)job->parts->pdata;

	/* each job its own key store: Quick Mode adds derived keys to it */
	struct keystore *keys = NULL;
	GError *e = NULL;
	for (char **k = one.key_files; k && *k && !e; k++) {
		if (!keys)
			keys = keystore_new();
		keystore_load_file(keys, *k, &e);
	}
	unsigned loaded;
	for (char **p = one.captures; *p && !e; p++)
		capture_load_secrets(*p, &keys, &loaded, &e);
	if (e) {
		job->status = 2;
		job->error = g_strdup(e->message);
		g_error_free(e);
		if (keys)
			keystore_free(keys);
		return;
	}
	struct analysis a;
	analysis_init(&a, &one, keys);
	bool read = true;
	for (char **p = one.captures; *p && read; p++)
		read = analysis_read(&a, *p, &job->error);
	if (!read) {
		job->status = 1;
	} else if (a.tracker.frames == 0) {
		job->status = 1;
		job->error = g_strdup_printf("%s: the capture holds no packets", job->path);
	} else {
		analysis_finish(&a);
		summarize(job, &a);
		if (one.out_dir) {
			char *dir = job_out_dir(&one, job->path);
			if (!report_csv(&a, dir, &job->error))
				job->status = 1;
			g_free(dir);
		}
	}
	analysis_free(&a);
	if (keys)
		keystore_free(keys);
}

static void job_csv(FILE *f, const struct batch_job *j)
{
	csv_field(f, j->path);
	fprintf(f, ",%u,%s,%llu,%u,%u,%u,%u,%u,%u,%u,%u,", j->parts->len, j->status == 0 ? "ok" : "error",
		(unsigned long long)j->frames, j->tunnels, j->rekeys, j->cause[CAUSE_VOLUME], j->cause[CAUSE_TIME],
		j->cause[CAUSE_OTHER], j->new_ike_sas, j->dips, j->rekey_dips);
	uint64_t denom = j->transferred + j->rekey_lost;
	if (denom)
		fprintf(f, "%.6f", (double)j->rekey_lost / (double)denom);
	fputc(',', f);
	csv_field(f, j->error ? j->error : "");
	fputc(',', f);
	csv_field(f, j->verdict ? j->verdict : "");
	fputc('\n', f);
}

static void job_json(FILE *f, const struct batch_job *j)
{
	fputs("{\"capture\":", f);
	json_string(f, j->path);
	fprintf(f, ",\"files\":%u,\"status\":\"%s\",\"frames\":%llu,\"tunnels\":%u,\"rekeys\":%u,\"volume\":%u,"
		   "\"time\":%u,\"other\":%u,\"new_ike_sas\":%u,\"dips\":%u,\"rekey_dips\":%u,\"rekey_loss_share\":",
		j->parts->len, j->status == 0 ? "ok" : "error", (unsigned long long)j->frames, j->tunnels, j->rekeys,
		j->cause[CAUSE_VOLUME], j->cause[CAUSE_TIME], j->cause[CAUSE_OTHER], j->new_ike_sas, j->dips,
		j->rekey_dips);
	uint64_t denom = j->transferred + j->rekey_lost;
	if (denom)
		fprintf(f, "%.6f", (double)j->rekey_lost / (double)denom);
	else
		fputs("null", f);
	fputs(",\"error\":", f);
	if (j->error)
		json_string(f, j->error);
	else
		fputs("null", f);
	fputs(",\"verdict\":", f);
	if (j->verdict)
		json_string(f, j->verdict);
	else
		fputs("null", f);
	fputc('}', f);
}

static GPtrArray *single_files(GPtrArray *paths)
{
	GPtrArray *out = g_ptr_array_new();
	for (guint i = 0; i < paths->len; i++) {
		GPtrArray *one = g_ptr_array_new_null_terminated(1, NULL, TRUE);
		g_ptr_array_add(one, g_ptr_array_index(paths, i));
		g_ptr_array_add(out, one);
	}
	return out;
}

/* A rotated set (tcpdump -C/-G, Wireshark's ring buffer) is the files of one
 * directory whose names differ only in their numbers: wan.pcap, wan.pcap1,
 * wan.pcap2 or wan_00001_20261124101500.pcapng, wan_00002_...  */
static char *set_name(const char *path)
{
	GString *key = g_string_new(NULL);
	for (const char *p = path; *p; p++) {
		if (g_ascii_isdigit(*p)) {
			while (g_ascii_isdigit(p[1]))
				p++;
			g_string_append_c(key, '#');
		} else {
			g_string_append_c(key, *p);
		}
	}
	/* wan.pcap is the first file of wan.pcap1, wan.pcap2, ... */
	if (!g_str_has_suffix(key->str, "#"))
		g_string_append_c(key, '#');
	return g_string_free(key, FALSE);
}

/* in a set, number order (wan.pcap2 before wan.pcap10) is time order */
static gint number_order(gconstpointer a, gconstpointer b)
{
	char *ka = g_utf8_collate_key_for_filename(*(char *const *)a, -1);
	char *kb = g_utf8_collate_key_for_filename(*(char *const *)b, -1);
	gint c = strcmp(ka, kb);
	g_free(ka);
	g_free(kb);
	return c;
}

static GPtrArray *rotated_sets(GPtrArray *paths)
{
	GHashTable *by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *out = g_ptr_array_new();
	for (guint i = 0; i < paths->len; i++) {
		char *path = g_ptr_array_index(paths, i);
		char *name = set_name(path);
		GPtrArray *set = g_hash_table_lookup(by_name, name);
		if (!set) {
			set = g_ptr_array_new_null_terminated(4, NULL, TRUE);
			g_ptr_array_add(out, set);
			g_hash_table_insert(by_name, name, set);
		} else {
			g_free(name);
		}
		g_ptr_array_add(set, path);
	}
	for (guint i = 0; i < out->len; i++)
		g_ptr_array_sort(g_ptr_array_index(out, i), number_order);
	g_hash_table_destroy(by_name);
	return out;
}

static const char BATCH_HEADER[] = "capture,files,status,frames,tunnels,rekeys,volume,time,other,new_ike_sas,dips,"
				   "rekey_dips,rekey_loss_share,error,verdict\n";

int batch_run(const struct options *o)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	char *err = NULL;
	for (char **p = o->captures; *p && !err; p++)
		collect(*p, paths, &err);
	if (err) {
		fprintf(stderr, "esprekey: %s\n", err);
		g_free(err);
		g_ptr_array_free(paths, TRUE);
		return 1;
	}
	g_ptr_array_sort(paths, path_cmp);

	GPtrArray *captures = o->rotated ? rotated_sets(paths) : single_files(paths);
	GPtrArray *jobs = g_ptr_array_new();
	for (guint i = 0; i < captures->len; i++) {
		GPtrArray *parts = g_ptr_array_index(captures, i);
		if (o->shard_count && i % o->shard_count != o->shard_index - 1) {
			g_ptr_array_free(parts, TRUE);
			continue;
		}
		struct batch_job *j = g_new0(struct batch_job, 1);
		j->parts = parts;
		j->path = g_ptr_array_index(parts, 0);
		j->opt = o;
		g_ptr_array_add(jobs, j);
	}
	g_ptr_array_free(captures, TRUE);
	GThreadPool *pool = g_thread_pool_new(run_job, NULL, o->jobs, TRUE, NULL);
	for (guint i = 0; i < jobs->len; i++)
		g_thread_pool_push(pool, g_ptr_array_index(jobs, i), NULL);
	g_thread_pool_free(pool, FALSE, TRUE);

	FILE *summary = NULL;
	if (o->out_dir) {
		char *path = g_build_filename(o->out_dir, "batch.csv", NULL);
		if (g_mkdir_with_parents(o->out_dir, 0755) == 0)
			summary = fopen(path, "w");
		if (!summary)
			fprintf(stderr, "esprekey: %s: %s\n", path, g_strerror(errno));
		else
			fputs(BATCH_HEADER, summary);
		g_free(path);
	}
	if (o->json)
		fputc('[', stdout);
	int status = 0;
	unsigned rekeys = 0, failed = 0;
	for (guint i = 0; i < jobs->len; i++) {
		struct batch_job *j = g_ptr_array_index(jobs, i);
		if (summary)
			job_csv(summary, j);
		if (o->json) {
			if (i)
				fputc(',', stdout);
			job_json(stdout, j);
		} else if (!o->quiet)
			printf("%s: %s\n", j->path, j->status ? j->error : j->verdict);
		if (j->status) {
			failed++;
			if (j->status > status)
				status = j->status;
		}
		rekeys += j->rekeys;
		g_ptr_array_free(j->parts, TRUE);
		g_free(j->error);
		g_free(j->verdict);
		g_free(j);
	}
	if (o->json)
		fputs("]\n", stdout);
	else if (!o->quiet)
		printf("%u captures, %u failed; %u Phase 2 rekeys in all\n", jobs->len, failed, rekeys);
	if (summary)
		fclose(summary);
	g_ptr_array_free(jobs, TRUE);
	g_ptr_array_free(paths, TRUE);
	return status;
}
