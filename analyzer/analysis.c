#include "analyzer/analysis.h"

#include <stdio.h>

#include "analyzer/capture.h"
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
	a->inputs = g_ptr_array_new();
	a->tunnels = g_ptr_array_new();
}

static void input_free(struct input_file *in)
{
	g_free(in->path);
	g_free(in->note);
	g_free(in);
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
		if (!a->keys)
			continue;
		if (tr.esp)
			decrypt_esp(&a->decryptor, tr.esp, &f, ts);
		else if (tr.ike)
			decrypt_ike(&a->decryptor, &a->tracker, &tr, &f, ts);
	}
	in->frames = cap.frames;
	in->cut_short = cap.cut_short;
	if (rc < 0 || cap.cut_short)
		in->note = g_strdup(cap.error);
	capture_close(&cap);
	return true;
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

static void correlate_tunnel(struct tunnel_analysis *ta, const struct options *o)
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
	bool negotiated;
	cp.lifetime_kb = tunnel_lifetime_kb(ta, o, &negotiated);
	cp.lifetime_s = o->lifetime_s;
	const struct dip_result *dirs[2] = { &ta->dips[DIR_UP], &ta->dips[DIR_DOWN] };
	correlate(dirs, 2, times, n, &cp, &ta->corr);
	for (guint i = 0; i < n && ta->corr.rekeys; i++) {
		struct rekey *r = &g_array_index(ta->rekeys, struct rekey, i);
		const struct corr_rekey *cr = &g_array_index(ta->corr.rekeys, struct corr_rekey, i);
		for (int d = 0; d < 2; d++)
			r->dip_index[d] = (int)cr->dip[d];
	}
	g_free(times);
}

const struct rekey *dip_rekey(const struct tunnel_analysis *ta, int d, size_t k)
{
	const GArray *links = ta->corr.episode_rekey[d];
	if (!links || k >= links->len)
		return NULL;
	gint64 r = g_array_index(links, gint64, k);
	return r < 0 ? NULL : &g_array_index(ta->rekeys, struct rekey, r);
}

void analysis_finish(struct analysis *a)
{
	const struct options *o = a->opt;
	tracker_finish(&a->tracker);
	struct rekey_config rc = { .lifetime_kb = o->lifetime_kb, .lifetime_s = o->lifetime_s };
	struct dip_params dp;
	dip_params_default(&dp);
	dp.baseline_ns = o->baseline_ns;
	dp.threshold = o->dip_threshold;
	for (guint i = 0; i < a->tracker.tunnels->len; i++) {
		struct tunnel *tun = g_ptr_array_index(a->tracker.tunnels, i);
		struct tunnel_analysis *ta = g_new0(struct tunnel_analysis, 1);
		ta->tun = tun;
		ta->rekeys = g_array_new(FALSE, TRUE, sizeof(struct rekey));
		if (a->keys)
			decrypt_apply(&a->decryptor, tun);
		rekeys_find(tun, ta->rekeys);
		rekeys_classify(ta->rekeys, &rc);
		for (int d = 0; d < 2; d++) {
			struct series *s = &tun->series[d == DIR_UP ? tun->client_side : !tun->client_side];
			series_extend_to(s, a->tracker.last_ns);
			dips_find(s, &dp, &ta->dips[d]);
		}
		correlate_tunnel(ta, o);
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
		}
		corr_result_free(&ta->corr);
		g_free(ta);
	}
	g_ptr_array_free(a->tunnels, TRUE);
	for (guint i = 0; i < a->inputs->len; i++)
		input_free(g_ptr_array_index(a->inputs, i));
	g_ptr_array_free(a->inputs, TRUE);
	frag_table_free(a->frags);
	if (a->keys)
		decryptor_free(&a->decryptor, &a->tracker);
	tracker_free(&a->tracker);
}

double analysis_rel_s(const struct analysis *a, uint64_t ts_ns)
{
	return (double)((int64_t)ts_ns - (int64_t)a->tracker.first_ns) / 1e9;
}
