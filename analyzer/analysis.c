#include "analyzer/analysis.h"

#include <math.h>
#include <stdio.h>

#include "analyzer/capture.h"
#include "analyzer/pipeline.h"
#include "dissect/frag.h"
#include "dissect/frame.h"
#include "dissect/link.h"

void analysis_init(struct analysis *a, const struct options *opt, struct keystore *keys)
{
	memset(a, 0, sizeof(*a));
	a->opt = opt;
	struct tracker_config cfg = { .window_ns = opt->window_ns, .client = opt->client };
	tracker_init(&a->tracker, &cfg);
	a->frags = frag_table_new();
	a->keys = keys;
	if (keys)
		decryptor_init(&a->decryptor, keys);
	/* a second core decrypts while this one reads, unless batch jobs
	 * already keep the cores busy */
	if (keys && g_get_num_processors() > 1 && !(opt->batch && opt->jobs > 1))
		a->pipe = pipeline_new(&a->decryptor);
	a->inputs = g_ptr_array_new();
	a->tunnels = g_ptr_array_new();
}

static void input_free(struct input_file *in)
{
	g_free(in->path);
	g_free(in->note);
	g_free(in);
}

/* With a worker thread, ESP decryption and the plaintext snapshots go
 * through it in packet order; IKE is decrypted here, because what it finds
 * (derived keys, Deletes) bears on the very next packets. */
static void decrypt_frame(struct analysis *a, const struct tracked *tr, const struct frame *f, uint64_t ts)
{
	struct decryptor *d = &a->decryptor;
	if (tr->superseded) {
		if (a->pipe)
			pipeline_snapshot_superseded(a->pipe, tr->superseded);
		else
			decrypt_snapshot_superseded(tr->superseded);
	}
	if (tr->new_exchange) {
		if (a->pipe)
			pipeline_snapshot_exchange(a->pipe, tr->new_exchange);
		else
			decrypt_snapshot_exchange(tr->new_exchange);
	}
	if (tr->esp && decrypt_esp_ready(d, tr->esp, f)) {
		if (a->pipe)
			pipeline_esp(a->pipe, tr->esp, f, ts);
		else
			decrypt_esp_packet(d, tr->esp, f->esp, f->esp_len, f->seq, ts);
	} else if (tr->ike) {
		decrypt_ike(d, &a->tracker, tr, f, ts);
	}
}

bool analysis_read(struct analysis *a, const char *path, char **err)
{
	struct capture cap;
	if (!capture_open(&cap, path)) {
		*err = g_strdup(cap.error);
		return false;
	}
	if (!link_supported(cap.dlt)) {
		*err = g_strdup_printf("%s: link-layer type %d (%s) is not supported", path, cap.dlt,
				       pcap_datalink_val_to_name(cap.dlt) ? pcap_datalink_val_to_name(cap.dlt) : "unknown");
		capture_close(&cap);
		return false;
	}
	struct input_file *in = g_new0(struct input_file, 1);
	in->path = g_strdup(path);
	in->dlt = cap.dlt;
	g_ptr_array_add(a->inputs, in);

	uint64_t ts;
	const uint8_t *data;
	uint32_t caplen, wirelen;
	struct frame f;
	struct tracked tr;
	int rc;
	while ((rc = capture_next(&cap, &ts, &data, &caplen, &wirelen)) == 1) {
		dissect_frame(a->frags, cap.dlt, ts, data, caplen, wirelen, &f);
		tracker_frame(&a->tracker, ts, &f, &tr);
		if (a->keys)
			decrypt_frame(a, &tr, &f, ts);
	}
	/* datagrams whose last fragment never came are dropped, and counted */
	frag_table_expire(a->frags, UINT64_MAX);
	in->frames = cap.frames;
	in->cut_short = cap.cut_short;
	in->mixed_link_types = cap.mixed_link_types;
	if (rc < 0 && cap.frames == 0) {
		*err = g_strdup(cap.error);
		capture_close(&cap);
		return false;
	}
	if (rc < 0 || cap.cut_short)
		in->note = g_strdup(cap.error);
	capture_close(&cap);
	return true;
}

static gint cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

uint64_t tunnel_lifetime_kb(const struct tunnel_analysis *ta, const struct options *o, bool *negotiated)
{
	for (guint i = 0; i < ta->tun->esp_sas->len; i++) {
		const struct esp_sa *sa = g_ptr_array_index(ta->tun->esp_sas, i);
		if (sa->life_kbytes) {
			*negotiated = true;
			return sa->life_kbytes;
		}
	}
	*negotiated = false;
	return o->lifetime_kb;
}

struct series *tunnel_series(struct tunnel *tun, struct series pair[2], enum dir d)
{
	return &pair[d == DIR_UP ? tun->client_side : !tun->client_side];
}

uint64_t tunnel_lifetime_s(const struct tunnel_analysis *ta, const struct options *o)
{
	for (guint i = 0; i < ta->tun->esp_sas->len; i++) {
		const struct esp_sa *sa = g_ptr_array_index(ta->tun->esp_sas, i);
		if (sa->life_seconds)
			return sa->life_seconds;
	}
	return o->lifetime_s;
}

/* A longer byte lifetime only helps when the rekeys are volume-triggered;
 * scale the lifetime that explains them: negotiated, assumed or inferred. */
static uint64_t whatif_lifetime_kb(const struct tunnel_analysis *ta, const struct options *o)
{
	unsigned volume = 0;
	GArray *kb = g_array_new(FALSE, FALSE, sizeof(double));
	for (guint i = 0; i < ta->rekeys->len; i++) {
		const struct rekey *r = &g_array_index(ta->rekeys, struct rekey, i);
		if (r->cause != CAUSE_VOLUME)
			continue;
		volume++;
		const struct rekey_side *s = &r->side[r->side[DIR_DOWN].trigger_esp_bytes >
						       r->side[DIR_UP].trigger_esp_bytes];
		double v = (double)s->trigger_esp_bytes / 1000;
		g_array_append_val(kb, v);
	}
	uint64_t out = 0;
	bool negotiated;
	if (volume && volume * 2 >= ta->rekeys->len) {
		uint64_t known = tunnel_lifetime_kb(ta, o, &negotiated);
		const struct rekey *r0 = NULL;
		for (guint i = 0; i < ta->rekeys->len && !r0; i++)
			if (g_array_index(ta->rekeys, struct rekey, i).cause == CAUSE_VOLUME)
				r0 = &g_array_index(ta->rekeys, struct rekey, i);
		if (r0->basis == BASIS_INFERRED && !negotiated) {
			g_array_sort(kb, cmp_double);
			/* an inferred volume is no setting: two significant digits */
			double v = g_array_index(kb, double, kb->len / 2);
			double unit = pow(10, floor(log10(v)) - 1);
			out = (uint64_t)(round(v / unit) * unit);
		} else {
			out = known;
		}
	}
	g_array_free(kb, TRUE);
	return out;
}

static void correlate_tunnel(struct tunnel_analysis *ta, const struct options *o, struct dip_result dips[2],
			     struct corr_result *out)
{
	guint n = ta->rekeys->len;
	struct rekey_time *times = g_new0(struct rekey_time, n ? n : 1);
	for (guint i = 0; i < n; i++) {
		const struct rekey *r = &g_array_index(ta->rekeys, struct rekey, i);
		times[i].start_ns = r->time_ns;
		for (int d = 0; d < 2; d++) {
			const struct esp_sa *ns = r->side[d].new_sa;
			if (ns && (!times[i].first_use_ns || ns->first_ns < times[i].first_use_ns))
				times[i].first_use_ns = ns->first_ns;
		}
	}
	struct corr_params cp;
	corr_params_default(&cp);
	cp.after_ns = o->corr_window_ns;
	cp.lifetime_kb = whatif_lifetime_kb(ta, o);
	cp.lifetime_s = tunnel_lifetime_s(ta, o);
	const struct dip_result *dirs[2] = { &dips[DIR_UP], &dips[DIR_DOWN] };
	correlate(dirs, 2, times, n, &cp, out);
	for (guint i = 0; i < n && out == &ta->corr && ta->corr.rekeys; i++) {
		struct rekey *r = &g_array_index(ta->rekeys, struct rekey, i);
		const struct corr_rekey *cr = &g_array_index(ta->corr.rekeys, struct corr_rekey, i);
		for (int d = 0; d < 2; d++)
			r->dip_index[d] = (int)cr->dip[d];
	}
	g_free(times);
}

static const struct rekey *linked_rekey(const struct tunnel_analysis *ta, const struct corr_result *c, int d,
				       size_t k)
{
	const GArray *links = c->episode_rekey[d];
	if (!links || k >= links->len)
		return NULL;
	gint64 r = g_array_index(links, gint64, k);
	return r < 0 ? NULL : &g_array_index(ta->rekeys, struct rekey, r);
}

const struct rekey *dip_rekey(const struct tunnel_analysis *ta, int d, size_t k)
{
	return linked_rekey(ta, &ta->corr, d, k);
}

const struct rekey *gdip_rekey(const struct tunnel_analysis *ta, int d, size_t k)
{
	return linked_rekey(ta, &ta->gcorr, d, k);
}

static uint64_t series_sum(const struct series *s, uint64_t from_ns, uint64_t to_ns)
{
	uint64_t sum = 0;
	size_t end = series_index_of(s, to_ns);
	for (size_t i = series_index_of(s, from_ns); i < end && i < series_len(s); i++)
		sum += series_bytes_at(s, i);
	return sum;
}

/* Retransmissions in the corr-window span before each rekey and after it. */
static void rekey_retransmissions(struct tunnel_analysis *ta, uint64_t span_ns)
{
	for (guint i = 0; i < ta->rekeys->len; i++) {
		struct rekey *r = &g_array_index(ta->rekeys, struct rekey, i);
		uint64_t from = r->time_ns > span_ns ? r->time_ns - span_ns : 0;
		for (int side = 0; side < 2; side++) {
			r->retrans_before += series_sum(&ta->tun->retrans[side], from, r->time_ns);
			r->retrans_after += series_sum(&ta->tun->retrans[side], r->time_ns, r->time_ns + span_ns);
		}
	}
}

void analysis_finish(struct analysis *a)
{
	const struct options *o = a->opt;
	if (a->pipe) {
		pipeline_free(a->pipe);
		a->pipe = NULL;
	}
	tracker_finish(&a->tracker);
	struct rekey_config rc = { .lifetime_kb = o->lifetime_kb, .lifetime_s = o->lifetime_s };
	struct dip_params dp;
	dip_params_default(&dp);
	dp.baseline_ns = o->baseline_ns;
	dp.threshold = o->dip_threshold;
	/* each tunnel's series ends with its last packet */
	for (guint i = 0; i < a->tracker.tunnels->len; i++) {
		struct tunnel *tun = g_ptr_array_index(a->tracker.tunnels, i);
		struct tunnel_analysis *ta = g_new0(struct tunnel_analysis, 1);
		ta->tun = tun;
		ta->rekeys = g_array_new(FALSE, TRUE, sizeof(struct rekey));
		if (a->keys)
			decrypt_apply(&a->decryptor, tun);
		rekeys_find(tun, ta->rekeys);
		rekeys_classify(ta->rekeys, &rc);
		dp.end_ns = tun->last_ns;
		for (int d = 0; d < 2; d++) {
			struct series *s = tunnel_series(tun, tun->series, (enum dir)d);
			series_extend_to(s, tun->last_ns);
			dips_find(s, &dp, &ta->dips[d]);
		}
		correlate_tunnel(ta, o, ta->dips, &ta->corr);
		ta->has_goodput = tun->tcp_payload[0] || tun->tcp_payload[1];
		for (int d = 0; d < 2; d++) {
			struct series *g = tunnel_series(tun, tun->goodput, (enum dir)d);
			series_extend_to(g, tun->last_ns);
			series_extend_to(tunnel_series(tun, tun->retrans, (enum dir)d), tun->last_ns);
			dips_find(g, &dp, &ta->gdips[d]);
		}
		correlate_tunnel(ta, o, ta->gdips, &ta->gcorr);
		rekey_retransmissions(ta, o->corr_window_ns);
		g_ptr_array_add(a->tunnels, ta);
	}
}

void analysis_free(struct analysis *a)
{
	for (guint i = 0; i < a->tunnels->len; i++) {
		struct tunnel_analysis *ta = g_ptr_array_index(a->tunnels, i);
		g_array_free(ta->rekeys, TRUE);
		for (int d = 0; d < 2; d++) {
			dip_result_free(&ta->dips[d]);
			dip_result_free(&ta->gdips[d]);
		}
		corr_result_free(&ta->corr);
		corr_result_free(&ta->gcorr);
		g_free(ta);
	}
	g_ptr_array_free(a->tunnels, TRUE);
	for (guint i = 0; i < a->inputs->len; i++)
		input_free(g_ptr_array_index(a->inputs, i));
	g_ptr_array_free(a->inputs, TRUE);
	frag_table_free(a->frags);
	if (a->pipe)
		pipeline_free(a->pipe);
	if (a->keys)
		decryptor_free(&a->decryptor, &a->tracker);
	tracker_free(&a->tracker);
}

double analysis_rel_s(const struct analysis *a, uint64_t ts_ns)
{
	return (double)((int64_t)ts_ns - (int64_t)a->tracker.first_ns) / 1e9;
}
