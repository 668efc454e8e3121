/* The analysis as one JSON document: the same facts as the CSV files plus
 * the summary and verdicts.  Written by hand: the shape is flat and fixed. */
#include "analyzer/report.h"

#include "analyzer/fmt.h"
#include "keys/keystore.h"

#include <pcap/pcap.h>

static const char *dir_name[2] = { "up", "down" };

static void key(FILE *f, const char *k, bool *first)
{
	if (!*first)
		fputc(',', f);
	*first = false;
	json_string(f, k);
	fputc(':', f);
}

static void kv_str(FILE *f, const char *k, const char *v, bool *first)
{
	key(f, k, first);
	if (v)
		json_string(f, v);
	else
		fputs("null", f);
}

static void kv_u64(FILE *f, const char *k, uint64_t v, bool *first)
{
	key(f, k, first);
	fprintf(f, "%llu", (unsigned long long)v);
}

/* 0 means "not known" for these, so it prints as null */
static void kv_u64_or_null(FILE *f, const char *k, uint64_t v, bool *first)
{
	key(f, k, first);
	if (v)
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fputs("null", f);
}

static void kv_num(FILE *f, const char *k, double v, bool *first)
{
	key(f, k, first);
	fprintf(f, "%.6f", v);
}

/* A time as ISO-8601 and seconds since the capture start; null when !known. */
static void kv_time_if(FILE *f, const struct analysis *a, const char *k, uint64_t ns, bool known, bool *first)
{
	char iso[40], ks[64];
	key(f, k, first);
	if (known)
		json_string(f, fmt_iso(ns, iso, sizeof(iso)));
	else
		fputs("null", f);
	snprintf(ks, sizeof(ks), "%s_s", k);
	key(f, ks, first);
	if (known)
		fprintf(f, "%.6f", analysis_rel_s(a, ns));
	else
		fputs("null", f);
}

static void kv_time(FILE *f, const struct analysis *a, const char *k, uint64_t ns, bool *first)
{
	kv_time_if(f, a, k, ns, true, first);
}

static void kv_spi(FILE *f, const char *k, const struct esp_sa *sa, bool *first)
{
	char spi[16];
	if (sa)
		snprintf(spi, sizeof(spi), "0x%08x", sa->spi);
	kv_str(f, k, sa ? spi : NULL, first);
}

static void sa_json(FILE *f, const struct analysis *a, const struct esp_sa *sa)
{
	bool first = true;
	char src[64], dst[64];
	addr_format(&sa->src, src, sizeof(src));
	addr_format(&sa->dst, dst, sizeof(dst));
	fputc('{', f);
	kv_str(f, "dir", dir_name[sa->dir], &first);
	kv_u64(f, "sa", (uint64_t)sa->index, &first);
	kv_spi(f, "spi", sa, &first);
	kv_str(f, "src", src, &first);
	kv_str(f, "dst", dst, &first);
	kv_str(f, "encapsulation", sa->in_udp ? "udp-4500" : "esp", &first);
	kv_time(f, a, "first", sa->first_ns, &first);
	kv_time(f, a, "last", sa->last_ns, &first);
	kv_u64(f, "packets", sa->packets, &first);
	kv_u64(f, "esp_bytes", sa->esp_bytes, &first);
	kv_u64(f, "ip_bytes", sa->ip_bytes, &first);
	kv_u64(f, "seq_gaps", sa->seq_gaps, &first);
	kv_u64(f, "seq_duplicates", sa->seq_dups, &first);
	kv_u64(f, "seq_resets", sa->seq_resets, &first);
	kv_u64(f, "seq_reordered", sa->seq_reordered, &first);
	kv_spi(f, "successor_spi", sa->successor, &first);
	kv_u64(f, "late_packets", sa->late_packets, &first);
	kv_u64_or_null(f, "life_kbytes", sa->life_kbytes, &first);
	kv_u64_or_null(f, "life_seconds", sa->life_seconds, &first);
	kv_time_if(f, a, "deleted", sa->deleted_ns, sa->deleted_ns != 0, &first);
	kv_u64(f, "packets_after_delete", sa->packets_after_delete, &first);
	kv_u64(f, "decrypted", sa->decrypted, &first);
	kv_u64(f, "icv_failures", sa->icv_failures, &first);
	kv_u64(f, "bad_padding", sa->bad_padding, &first);
	kv_u64(f, "plaintext_bytes", sa->plaintext_bytes, &first);
	kv_str(f, "key_source", sa->key_source ? sa->key_source : "none", &first);
	fputc('}', f);
}

static void rekey_json(FILE *f, const struct analysis *a, const struct rekey *r)
{
	bool first = true;
	fputc('{', f);
	kv_u64(f, "rekey", (uint64_t)r->index, &first);
	kv_time(f, a, "time", r->time_ns, &first);
	kv_str(f, "basis", r->exchange ? "ike" : "esp", &first);
	kv_str(f, "exchange", r->exchange ? exchange_name(r->exchange->ike->version, r->exchange->type) : NULL, &first);
	if (r->exchange) {
		char msgid[16];
		snprintf(msgid, sizeof(msgid), "0x%08x", r->exchange->msgid);
		kv_str(f, "msgid", msgid, &first);
		kv_time(f, a, "exchange_end", r->exchange->end_ns, &first);
	}
	kv_num(f, "age_s", r->age_s, &first);
	kv_str(f, "cause", rekey_cause_name(r->cause), &first);
	kv_str(f, "cause_basis", cause_basis_name(r->basis), &first);
	kv_str(f, "evidence", r->evidence, &first);
	for (int d = 0; d < 2; d++) {
		const struct rekey_side *s = &r->side[d];
		key(f, dir_name[d], &first);
		bool f2 = true;
		char spi[16];
		fputc('{', f);
		snprintf(spi, sizeof(spi), "0x%08x", s->old_spi);
		kv_str(f, "old_spi", s->have_old_spi ? spi : NULL, &f2);
		snprintf(spi, sizeof(spi), "0x%08x", s->new_spi);
		kv_str(f, "new_spi", s->have_new_spi ? spi : NULL, &f2);
		if (!s->old_sa) {
			fputc('}', f);
			continue;
		}
		kv_num(f, "old_age_s", s->old_age_s, &f2);
		kv_u64(f, "old_packets", s->trigger_packets, &f2);
		kv_u64(f, "old_esp_bytes", s->trigger_esp_bytes, &f2);
		kv_u64(f, "old_payload_bytes", s->trigger_payload_bytes, &f2);
		kv_time(f, a, "old_last", s->old_sa->last_ns, &f2);
		kv_time_if(f, a, "new_first", s->new_sa ? s->new_sa->first_ns : 0, s->new_sa != NULL, &f2);
		kv_num(f, "overlap_s", (double)s->overlap_ns / 1e9, &f2);
		kv_u64(f, "late_packets", s->late_packets, &f2);
		key(f, "dip", &f2);
		if (r->dip_index[d] >= 0)
			fprintf(f, "%d", r->dip_index[d] + 1);
		else
			fputs("null", f);
		fputc('}', f);
	}
	fputc('}', f);
}

static void dip_json(FILE *f, const struct analysis *a, const struct tunnel_analysis *ta, bool goodput, int d,
		     guint k)
{
	const struct dip_episode *e = dip_episode_at(goodput ? &ta->gdips[d] : &ta->dips[d], k);
	const struct rekey *r = goodput ? gdip_rekey(ta, d, k) : dip_rekey(ta, d, k);
	bool first = true;
	fputc('{', f);
	kv_str(f, "dir", dir_name[d], &first);
	kv_str(f, "series", goodput ? "goodput" : "esp", &first);
	kv_u64(f, "dip", k + 1, &first);
	kv_time(f, a, "start", e->start_ns, &first);
	kv_num(f, "duration_s", (double)e->duration_ns / 1e9, &first);
	kv_num(f, "depth", e->depth, &first);
	kv_num(f, "max_depth", e->max_depth, &first);
	kv_num(f, "min_mbps", e->min_bps / 1e6, &first);
	kv_num(f, "baseline_mbps", e->baseline_bps / 1e6, &first);
	kv_num(f, "mean_mbps", e->mean_bps / 1e6, &first);
	kv_u64(f, "lost_bytes", e->lost_bytes, &first);
	key(f, "rekey", &first);
	if (r)
		fprintf(f, "%d", r->index);
	else
		fputs("null", f);
	fputc('}', f);
}

static void tunnel_json(FILE *f, const struct analysis *a, const struct tunnel_analysis *ta)
{
	const struct tunnel *t = ta->tun;
	bool first = true;
	char cl[64], sv[64], verdict[512];
	addr_format(&t->client, cl, sizeof(cl));
	addr_format(&t->server, sv, sizeof(sv));
	static const char *basis[] = { "unknown", "ike", "option", "nat", "rekey-initiator" };
	fputc('{', f);
	kv_u64(f, "tunnel", (uint64_t)t->index, &first);
	kv_str(f, "client", cl, &first);
	kv_str(f, "server", sv, &first);
	kv_str(f, "client_from", basis[t->client_basis], &first);
	key(f, "ike_sas", &first);
	fputc('[', f);
	for (guint i = 0; i < t->ike_sas->len; i++) {
		const struct ike_sa *ike = g_ptr_array_index(t->ike_sas, i);
		char spi[40];
		bool f2 = true;
		if (i)
			fputc(',', f);
		fputc('{', f);
		kv_u64(f, "ike_sa", (uint64_t)ike->index, &f2);
		kv_u64(f, "version", ike->version, &f2);
		for (int j = 0; j < 8; j++)
			snprintf(spi + 2 * j, 3, "%02x", ike->spi_i[j]);
		kv_str(f, "spi_i", spi, &f2);
		for (int j = 0; j < 8; j++)
			snprintf(spi + 2 * j, 3, "%02x", ike->spi_r[j]);
		kv_str(f, "spi_r", spi, &f2);
		kv_str(f, "origin", ike_sa_origin_name(ike_sa_origin_of(ike)), &f2);
		kv_time(f, a, "first", ike->first_ns, &f2);
		kv_time(f, a, "last", ike->last_ns, &f2);
		kv_u64(f, "messages", ike->messages, &f2);
		kv_u64(f, "exchanges", ike->exchanges->len, &f2);
		fputc('}', f);
	}
	fputc(']', f);
	tunnel_verdict(a, ta, verdict, sizeof(verdict));
	kv_str(f, "verdict", verdict, &first);
	key(f, "sas", &first);
	fputc('[', f);
	bool any = false;
	for (int d = 0; d < 2; d++)
		for (guint j = 0; j < t->esp_sas->len; j++) {
			const struct esp_sa *sa = g_ptr_array_index(t->esp_sas, j);
			if ((int)sa->dir != d)
				continue;
			if (any)
				fputc(',', f);
			any = true;
			sa_json(f, a, sa);
		}
	fputs("]", f);
	key(f, "rekeys", &first);
	fputc('[', f);
	for (guint j = 0; j < ta->rekeys->len; j++) {
		if (j)
			fputc(',', f);
		rekey_json(f, a, &g_array_index(ta->rekeys, struct rekey, j));
	}
	fputs("]", f);
	key(f, "dips", &first);
	fputc('[', f);
	any = false;
	for (int g = 0; g < (ta->has_goodput ? 2 : 1); g++) {
		for (int d = 0; d < 2; d++) {
			const struct dip_result *dr = g ? &ta->gdips[d] : &ta->dips[d];
			for (guint k = 0; k < dr->episodes->len; k++) {
				if (any)
					fputc(',', f);
				any = true;
				dip_json(f, a, ta, g, d, k);
			}
		}
	}
	fputs("]", f);
	const struct corr_result *c = &ta->corr;
	key(f, "correlation", &first);
	bool f2 = true;
	fputc('{', f);
	kv_u64(f, "rekeys_during_traffic", c->busy_rekeys, &f2);
	kv_u64(f, "rekeys_followed_by_dip", c->hit_rekeys, &f2);
	kv_num(f, "random_rate", c->random_rate, &f2);
	kv_num(f, "lift", c->lift, &f2);
	key(f, "p_value", &f2);
	fprintf(f, "%.6g", c->p_value);
	kv_u64(f, "linked_lost_bytes", c->linked_lost_total, &f2);
	kv_u64(f, "unlinked_lost_bytes", c->unlinked_lost_total, &f2);
	kv_num(f, "loss_share", c->loss_share_total, &f2);
	fputc('}', f);
	fputc('}', f);
}

/* What keys there were and what they did not decrypt, and why. */
static void keys_json(FILE *f, const struct analysis *a, bool *first)
{
	key(f, "keys", first);
	if (!a->keys) {
		fputs("null", f);
		return;
	}
	struct keystore_counts kc;
	keystore_get_counts(a->keys, &kc);
	const struct decryptor *d = &a->decryptor;
	bool f2 = true;
	fputc('{', f);
	kv_u64(f, "esp_records", kc.esp, &f2);
	kv_u64(f, "esp_derived", kc.esp_derived, &f2);
	kv_u64(f, "ikev1", kc.ikev1, &f2);
	kv_u64(f, "ikev1_skeyid_d", kc.ikev1_skeyid_d, &f2);
	kv_u64(f, "ikev2", kc.ikev2, &f2);
	kv_u64(f, "ikev2_sk_d", kc.ikev2_sk_d, &f2);
	kv_u64(f, "ike_decrypted", d->ike_decrypted, &f2);
	kv_u64(f, "ike_not_decrypted", d->ike_failed, &f2);
	kv_u64(f, "ike_hash_verified", d->hash_ok, &f2);
	kv_u64(f, "ike_hash_wrong", d->hash_bad, &f2);
	key(f, "notes", &f2);
	fputc('[', f);
	GPtrArray *notes = decryptor_notes(d);
	for (guint i = 0; i < notes->len; i++) {
		if (i)
			fputc(',', f);
		json_string(f, g_ptr_array_index(notes, i));
	}
	g_ptr_array_free(notes, TRUE);
	fputs("]}", f);
}

void report_json(const struct analysis *a, FILE *f)
{
	const struct tracker *t = &a->tracker;
	bool first = true;
	fputc('{', f);
	key(f, "captures", &first);
	fputc('[', f);
	for (guint i = 0; i < a->inputs->len; i++) {
		const struct input_file *in = g_ptr_array_index(a->inputs, i);
		bool f2 = true;
		if (i)
			fputc(',', f);
		fputc('{', f);
		kv_str(f, "path", in->path, &f2);
		kv_u64(f, "frames", in->frames, &f2);
		kv_str(f, "link_type", pcap_datalink_val_to_name(in->dlt), &f2);
		kv_str(f, "note", in->note, &f2);
		fputc('}', f);
	}
	fputc(']', f);
	kv_time(f, a, "start", t->first_ns, &first);
	kv_time(f, a, "end", t->last_ns, &first);
	kv_u64(f, "frames", t->frames, &first);
	kv_u64(f, "esp_frames", t->esp_frames, &first);
	kv_u64(f, "ike_frames", t->ike_frames, &first);
	kv_u64(f, "keepalive_frames", t->keepalive_frames, &first);
	keys_json(f, a, &first);
	key(f, "anomalies", &first);
	bool f2 = true;
	fputc('{', f);
	for (int k = 1; k < AN_COUNT; k++)
		if (t->anomalies[k])
			kv_u64(f, anomaly_name(k), t->anomalies[k], &f2);
	fputc('}', f);
	key(f, "tunnels", &first);
	fputc('[', f);
	for (guint i = 0; i < a->tunnels->len; i++) {
		if (i)
			fputc(',', f);
		tunnel_json(f, a, g_ptr_array_index(a->tunnels, i));
	}
	fputs("]}\n", f);
}
