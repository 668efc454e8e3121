/* The readable report: summary first, then per tunnel its SAs, rekeys, dips
 * and a one-sentence verdict. */
#include "analyzer/report.h"

#include <math.h>
#include <string.h>

#include "analyzer/fmt.h"
#include "dissect/frag.h"
#include "keys/keystore.h"

#include <pcap/pcap.h>

static const char *dir_name[2] = { "up", "down" };

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void tunnel_verdict(const struct analysis *a, const struct tunnel_analysis *ta, char *buf, size_t len)
{
	guint n = ta->rekeys->len;
	if (n == 0) {
		snprintf(buf, len, "no Phase 2 rekey in the capture");
		return;
	}
	unsigned count[3] = { 0, 0, 0 };
	uint64_t *vol = g_new(uint64_t, n);
	double *age = g_new(double, n);
	for (guint i = 0; i < n; i++) {
		const struct rekey *r = &g_array_index(ta->rekeys, struct rekey, i);
		count[r->cause]++;
		uint64_t up = r->side[DIR_UP].trigger_esp_bytes, down = r->side[DIR_DOWN].trigger_esp_bytes;
		vol[i] = up > down ? up : down;
		age[i] = r->age_s;
	}
	qsort(vol, n, sizeof(*vol), cmp_u64);
	qsort(age, n, sizeof(*age), cmp_dbl);
	size_t off = 0;
	off += (size_t)snprintf(buf + off, len - off, "%u rekey%s, ", n, n == 1 ? "" : "s");
	const char *all = n == 1 ? "" : "all ";
	if (count[CAUSE_VOLUME] == n)
		off += (size_t)snprintf(buf + off, len - off, "%svolume-triggered at ~%.1f MB", all, (double)vol[n / 2] / 1e6);
	else if (count[CAUSE_TIME] == n)
		off += (size_t)snprintf(buf + off, len - off, "%stime-triggered every ~%.1f s", all, age[n / 2]);
	else
		off += (size_t)snprintf(buf + off, len - off, "%u volume-, %u time-triggered, %u other",
					count[CAUSE_VOLUME], count[CAUSE_TIME], count[CAUSE_OTHER]);
	g_free(vol);
	g_free(age);

	const struct corr_result *c = &ta->corr;
	double depth = 0, dur = 0;
	unsigned linked = 0;
	for (int d = 0; d < 2; d++) {
		for (guint k = 0; k < ta->dips[d].episodes->len; k++) {
			if (!dip_rekey(ta, d, k))
				continue;
			const struct dip_episode *e = dip_episode_at(&ta->dips[d], k);
			depth += e->depth;
			dur += (double)e->duration_ns / 1e9;
			linked++;
		}
	}
	if (c->hit_rekeys && linked)
		off += (size_t)snprintf(buf + off, len - off, "; %zu followed by a dip of -%.0f %% for ~%.1f s",
					c->hit_rekeys, 100 * depth / linked, dur / linked);
	else
		off += (size_t)snprintf(buf + off, len - off, "; none followed by a dip");
	off += (size_t)snprintf(buf + off, len - off, "; %.1f %% of throughput lost to rekeys",
				100 * c->loss_share_total);
	for (size_t i = 0; i < c->n_whatif; i++) {
		if (c->whatif[i].factor == 10 && c->whatif[i].lifetime_kb && c->linked_lost_total) {
			snprintf(buf + off, len - off, "; with LifetimeKilobytes=%llu about %.1f %% more throughput",
				 (unsigned long long)c->whatif[i].lifetime_kb, 100 * c->whatif[i].gain);
			break;
		}
	}
	(void)a;
}

static void print_sas(const struct analysis *a, const struct tunnel_analysis *ta, FILE *f)
{
	fprintf(f, "\n  ESP SAs\n    %-4s %-3s %-10s %10s %10s %9s %12s %6s %6s %s\n", "dir", "#", "SPI", "first s",
		"last s", "packets", "ESP bytes", "late", "gaps", "decrypted");
	for (int d = 0; d < 2; d++) {
		for (guint j = 0; j < ta->tun->esp_sas->len; j++) {
			const struct esp_sa *sa = g_ptr_array_index(ta->tun->esp_sas, j);
			if ((int)sa->dir != d)
				continue;
			char dec[64];
			if (sa->crypto || sa->decrypted || sa->icv_failures)
				snprintf(dec, sizeof(dec), "%llu (%llu ICV failed)", (unsigned long long)sa->decrypted,
					 (unsigned long long)sa->icv_failures);
			else
				snprintf(dec, sizeof(dec), "no key");
			fprintf(f, "    %-4s %-3d 0x%08x %10.3f %10.3f %9llu %12llu %6llu %6llu %s\n", dir_name[d],
				sa->index, sa->spi, analysis_rel_s(a, sa->first_ns), analysis_rel_s(a, sa->last_ns),
				(unsigned long long)sa->packets, (unsigned long long)sa->esp_bytes,
				(unsigned long long)sa->late_packets, (unsigned long long)sa->seq_gaps, dec);
		}
	}
}

static void print_rekeys(const struct analysis *a, const struct tunnel_analysis *ta, FILE *f)
{
	if (ta->rekeys->len == 0)
		return;
	fprintf(f, "\n  Phase 2 rekeys\n    %-3s %10s %-16s %-23s %-23s %8s %10s %-6s %s\n", "#", "time s", "seen in",
		"up old -> new", "down old -> new", "age s", "old MB", "cause", "dip (up/down)");
	for (guint i = 0; i < ta->rekeys->len; i++) {
		const struct rekey *r = &g_array_index(ta->rekeys, struct rekey, i);
		char sides[2][32], dips[32] = "";
		for (int d = 0; d < 2; d++) {
			const struct rekey_side *s = &r->side[d];
			char o[12] = "?", n[12] = "?";
			if (s->have_old_spi)
				snprintf(o, sizeof(o), "%08x", s->old_spi);
			if (s->have_new_spi)
				snprintf(n, sizeof(n), "%08x", s->new_spi);
			if (!s->have_old_spi && !s->have_new_spi)
				snprintf(sides[d], sizeof(sides[d]), "(not seen)");
			else
				snprintf(sides[d], sizeof(sides[d]), "%s -> %s%s", o, n, s->new_sa ? "" : "*");
		}
		const struct rekey_side *busy = &r->side[r->side[DIR_DOWN].trigger_esp_bytes >
							 r->side[DIR_UP].trigger_esp_bytes];
		for (int d = 0; d < 2; d++) {
			char one[16];
			if (r->dip_index[d] >= 0)
				snprintf(one, sizeof(one), "#%d", r->dip_index[d] + 1);
			else
				snprintf(one, sizeof(one), "-");
			g_strlcat(dips, one, sizeof(dips));
			if (d == 0)
				g_strlcat(dips, "/", sizeof(dips));
		}
		char seen[24];
		if (r->exchange)
			snprintf(seen, sizeof(seen), "%s", exchange_name(r->exchange->ike->version, r->exchange->type));
		else
			snprintf(seen, sizeof(seen), "ESP only");
		fprintf(f, "    %-3d %10.3f %-16s %-23s %-23s %8.3f %10.3f %-6s %s\n", r->index,
			analysis_rel_s(a, r->time_ns), seen, sides[0], sides[1],
			r->age_s, (double)busy->trigger_esp_bytes / 1e6,
			rekey_cause_name(r->cause), dips);
		fprintf(f, "        cause %s (%s): %s\n", rekey_cause_name(r->cause), cause_basis_name(r->basis),
			r->evidence);
		for (int d = 0; d < 2; d++) {
			const struct rekey_side *s = &r->side[d];
			if (!s->old_sa)
				continue;
			if (!s->new_sa) {
				fprintf(f, "        %-4s old SA: %llu packets, %llu ESP bytes before the rekey; no packet used the new SA\n",
					dir_name[d], (unsigned long long)s->trigger_packets,
					(unsigned long long)s->trigger_esp_bytes);
				continue;
			}
			double ov = (double)s->overlap_ns / 1e9;
			fprintf(f, "        %-4s old SA: %llu packets, %llu ESP bytes before the rekey; last packet %.3f s %s "
				   "the new SPI's first; %llu late packets on it\n",
				dir_name[d], (unsigned long long)s->trigger_packets, (unsigned long long)s->trigger_esp_bytes,
				fabs(ov), ov >= 0 ? "after" : "before", (unsigned long long)s->late_packets);
			const struct esp_sa *old = s->old_sa;
			if (old->deleted_ns)
				fprintf(f, "             deleted by the %s at %.3f s; %llu packets arrived on it after that%s\n",
					memcmp(&old->deleted_by, &ta->tun->client, sizeof(old->deleted_by)) ? "server" : "client",
					analysis_rel_s(a, old->deleted_ns), (unsigned long long)old->packets_after_delete,
					old->packets_after_delete ? " (likely dropped by its receiver)" : "");
		}
		if (ta->has_goodput)
			fprintf(f, "        inner TCP retransmissions: %llu in the %.1f s before, %llu in the %.1f s after\n",
				(unsigned long long)r->retrans_before, (double)a->opt->corr_window_ns / 1e9,
				(unsigned long long)r->retrans_after, (double)a->opt->corr_window_ns / 1e9);
	}
}

static void print_dips(const struct analysis *a, const struct tunnel_analysis *ta, FILE *f, bool goodput)
{
	for (int d = 0; d < 2; d++) {
		const struct dip_result *dr = goodput ? &ta->gdips[d] : &ta->dips[d];
		double busy_mbps = dr->window_ns ? (double)dr->busy_median * 8e3 / (double)dr->window_ns : 0;
		if (goodput)
			fprintf(f, "\n  Goodput %s (inner TCP payload): %.1f MB, busy median %.1f Mbit/s; %llu segments, "
				   "%llu retransmitted, %llu after a hole; %u dip%s\n", dir_name[d],
				(double)dr->total_bytes / 1e6, busy_mbps,
				(unsigned long long)ta->tun->tcp_segments[d == DIR_UP ? ta->tun->client_side : !ta->tun->client_side],
				(unsigned long long)ta->tun->tcp_retrans[d == DIR_UP ? ta->tun->client_side : !ta->tun->client_side],
				(unsigned long long)ta->tun->tcp_out_of_order[d == DIR_UP ? ta->tun->client_side : !ta->tun->client_side],
				dr->episodes->len, dr->episodes->len == 1 ? "" : "s");
		else
			fprintf(f, "\n  Throughput %s (ESP on the wire): %.1f MB, busy median %.1f Mbit/s; %u dip%s\n",
				dir_name[d], (double)dr->total_bytes / 1e6, busy_mbps, dr->episodes->len,
				dr->episodes->len == 1 ? "" : "s");
		for (guint k = 0; k < dr->episodes->len; k++) {
			const struct dip_episode *e = dip_episode_at(dr, k);
			const struct rekey *r = goodput ? gdip_rekey(ta, d, k) : dip_rekey(ta, d, k);
			char after[64];
			if (r)
				snprintf(after, sizeof(after), "%.3f s after rekey #%d",
					 (double)((int64_t)e->start_ns - (int64_t)r->time_ns) / 1e9, r->index);
			else
				snprintf(after, sizeof(after), "no rekey near");
			fprintf(f, "    dip %-3u at %10.3f s for %.3f s: -%.0f %% (%.1f of %.1f Mbit/s), ~%.2f MB lost; %s\n",
				k + 1, analysis_rel_s(a, e->start_ns), (double)e->duration_ns / 1e9, 100 * e->depth,
				e->mean_bps / 1e6, e->baseline_bps / 1e6, (double)e->lost_bytes / 1e6, after);
		}
	}
}

static void print_correlation(const struct tunnel_analysis *ta, FILE *f)
{
	const struct corr_result *c = &ta->corr;
	if (!ta->rekeys->len || !c->rekeys)
		return;
	if (!c->dips[0] && !c->dips[1]) {
		fprintf(f, "\n  Rekeys and dips: no dip in either direction, so no rekey cost throughput visibly\n");
		return;
	}
	fprintf(f, "\n  Rekeys and dips: %zu of %zu rekeys during traffic were followed by a dip (%.0f %%);"
		   " random moments: %.1f %% (%u draws)",
		c->hit_rekeys, c->busy_rekeys, 100 * c->rekey_rate, 100 * c->random_rate, c->draws);
	if (c->draws)
		fprintf(f, "; lift %s%.1fx, p = %.2g", c->lift_is_lower_bound ? ">= " : "", c->lift, c->p_value);
	fprintf(f, "\n  Lost in rekey-linked dips: %.2f MB = %.2f %% of throughput; in other dips: %.2f MB\n",
		(double)c->linked_lost_total / 1e6, 100 * c->loss_share_total, (double)c->unlinked_lost_total / 1e6);
	for (size_t i = 0; i < c->n_whatif; i++) {
		const struct corr_whatif *w = &c->whatif[i];
		if (!w->lifetime_kb)
			continue;
		fprintf(f, "  With LifetimeKilobytes=%llu (x%g): about %.1f %% more throughput%s\n",
			(unsigned long long)w->lifetime_kb, w->factor, 100 * w->gain,
			w->time_limited ? " (then the time lifetime sets the rekeys)" : "");
	}
}

static void print_tunnel(const struct analysis *a, const struct tunnel_analysis *ta, FILE *f)
{
	const struct tunnel *t = ta->tun;
	char cl[64], sv[64];
	addr_format(&t->client, cl, sizeof(cl));
	addr_format(&t->server, sv, sizeof(sv));
	static const char *basis[] = { "not identified: 'up' is from the lower address; use --client",
				       "the IKE initiator", "--client", "the side behind a NAT",
				       "the side that starts the rekey exchanges" };
	bool in_udp = false;
	for (guint i = 0; i < t->esp_sas->len && !in_udp; i++)
		in_udp = ((const struct esp_sa *)g_ptr_array_index(t->esp_sas, i))->in_udp;
	fprintf(f, "\nTunnel %d: client %s <-> server %s%s%s\n  client: %s\n", t->index, cl, sv,
		in_udp ? ", ESP in UDP 4500" : "", t->nat_side >= 0 ? ", client behind NAT" : "",
		basis[t->client_basis]);
	for (guint i = 0; i < t->ike_sas->len; i++) {
		const struct ike_sa *ike = g_ptr_array_index(t->ike_sas, i);
		unsigned counts[256] = { 0 };
		for (guint j = 0; j < ike->exchanges->len; j++)
			counts[((struct exchange *)g_ptr_array_index(ike->exchanges, j))->type]++;
		fprintf(f, "  IKE SA %d: IKEv%d %02x%02x%02x%02x%02x%02x%02x%02x/%02x%02x%02x%02x%02x%02x%02x%02x, "
			   "%.3f-%.3f s, %u messages;", ike->index, ike->version,
			ike->spi_i[0], ike->spi_i[1], ike->spi_i[2], ike->spi_i[3], ike->spi_i[4], ike->spi_i[5],
			ike->spi_i[6], ike->spi_i[7], ike->spi_r[0], ike->spi_r[1], ike->spi_r[2], ike->spi_r[3],
			ike->spi_r[4], ike->spi_r[5], ike->spi_r[6], ike->spi_r[7], analysis_rel_s(a, ike->first_ns),
			analysis_rel_s(a, ike->last_ns), ike->messages);
		for (int ty = 0; ty < 256; ty++)
			if (counts[ty])
				fprintf(f, " %u %s", counts[ty], exchange_name(ike->version, (uint8_t)ty));
		fputc('\n', f);
		static const char *origin[] = { "", "an IKE SA rekey (CREATE_CHILD_SA)",
						"a new Main Mode / IKE_SA_INIT: re-authentication or a reconnect",
						"its start is not in the capture" };
		if (i > 0)
			fprintf(f, "    (Phase 1, not a Phase 2 rekey: %s)\n", origin[ike_sa_origin_of(ike)]);
	}
	print_sas(a, ta, f);
	print_rekeys(a, ta, f);
	print_dips(a, ta, f, false);
	if (ta->has_goodput)
		print_dips(a, ta, f, true);
	print_correlation(ta, f);
	char verdict[512];
	tunnel_verdict(a, ta, verdict, sizeof(verdict));
	fprintf(f, "\n  Verdict: %s.\n", verdict);
}

static void print_keys(const struct analysis *a, FILE *f)
{
	if (!a->keys) {
		fprintf(f, "Keys: none given (--keys): ESP and encrypted IKE not decrypted; SPIs, sizes and timing only,\n"
			   "  so no negotiated lifetimes, Deletes or inner TCP; causes are assumed or inferred\n");
		return;
	}
	struct keystore_counts kc;
	keystore_get_counts(a->keys, &kc);
	const struct decryptor *d = &a->decryptor;
	fprintf(f, "Keys: %u ESP records (%u derived by KEYMAT), %u IKEv1 (%u with SKEYID_d), %u IKEv2 "
		   "(%u with SK_d); IKE messages decrypted %llu, not %llu\n",
		kc.esp, kc.esp_derived, kc.ikev1, kc.ikev1_skeyid_d, kc.ikev2, kc.ikev2_sk_d,
		(unsigned long long)d->ike_decrypted, (unsigned long long)d->ike_failed);
	if (d->hash_ok || d->hash_bad)
		fprintf(f, "  IKEv1 HASH payloads checked with SKEYID_a: %llu verify, %llu do not\n",
			(unsigned long long)d->hash_ok, (unsigned long long)d->hash_bad);
	if (kc.masked)
		fprintf(f, "  %u 'show ipsec sa' blocks had masked keys (** **): the router prints them only on its "
			   "serial console\n", kc.masked);
	GPtrArray *notes = decryptor_notes(d);
	if (notes->len)
		fprintf(f, "Decryption notes (what could not be decrypted, and why):\n");
	for (guint i = 0; i < notes->len; i++)
		fprintf(f, "  %s\n", (char *)g_ptr_array_index(notes, i));
	g_ptr_array_free(notes, TRUE);
}

void report_text(const struct analysis *a, FILE *f)
{
	const struct tracker *t = &a->tracker;
	char t0[40], t1[40];
	fprintf(f, "esprekey report\n");
	for (guint i = 0; i < a->inputs->len; i++) {
		const struct input_file *in = g_ptr_array_index(a->inputs, i);
		fprintf(f, "Capture: %s (%s%s), %llu frames%s%s\n", in->path,
			pcap_datalink_val_to_description(in->dlt) ? pcap_datalink_val_to_description(in->dlt) : "?",
			in->mixed_link_types ? " and other link types" : "", (unsigned long long)in->frames,
			in->note ? "; " : "", in->note ? in->note : "");
	}
	if (t->have_time)
		fprintf(f, "Time: %s to %s (%.3f s)\n", fmt_iso(t->first_ns, t0, sizeof(t0)),
			fmt_iso(t->last_ns, t1, sizeof(t1)), analysis_rel_s(a, t->last_ns));
	unsigned rekeys = 0, dips = 0, linked = 0, phase1 = 0;
	for (guint i = 0; i < a->tunnels->len; i++) {
		const struct tunnel_analysis *ta = g_ptr_array_index(a->tunnels, i);
		rekeys += ta->rekeys->len;
		phase1 += ta->tun->ike_sas->len > 1 ? ta->tun->ike_sas->len - 1 : 0;
		for (int d = 0; d < 2; d++) {
			dips += ta->dips[d].episodes->len;
			linked += (unsigned)ta->corr.linked_dips[d];
		}
	}
	fprintf(f, "Frames: %llu; ESP %llu, IKE %llu, NAT-T keepalives %llu, other IP %llu\n",
		(unsigned long long)t->frames, (unsigned long long)t->esp_frames, (unsigned long long)t->ike_frames,
		(unsigned long long)t->keepalive_frames, (unsigned long long)t->other_ip_frames);
	fprintf(f, "Summary: %u tunnel%s, %u Phase 2 rekey%s, %u new IKE SA%s (Phase 1 rekeys or reconnects), "
		   "%u dip%s (%u after a rekey)\n",
		a->tunnels->len, a->tunnels->len == 1 ? "" : "s", rekeys, rekeys == 1 ? "" : "s", phase1,
		phase1 == 1 ? "" : "s", dips, dips == 1 ? "" : "s", linked);
	for (guint i = 0; i < a->tunnels->len; i++) {
		char verdict[512];
		const struct tunnel_analysis *ta = g_ptr_array_index(a->tunnels, i);
		tunnel_verdict(a, ta, verdict, sizeof(verdict));
		fprintf(f, "  tunnel %d: %s\n", ta->tun->index, verdict);
	}
	print_keys(a, f);
	uint64_t anomalies = 0;
	for (int k = 1; k < AN_COUNT; k++)
		anomalies += t->anomalies[k];
	const struct frag_stats *fs = frag_table_stats(a->frags);
	if (fs->fragments)
		fprintf(f, "IP fragments: %llu, %llu datagrams reassembled; dropped: %llu overlapping, %llu too long, "
			   "%llu incomplete, %llu evicted\n",
			(unsigned long long)fs->fragments, (unsigned long long)fs->reassembled,
			(unsigned long long)fs->dropped_overlap, (unsigned long long)fs->dropped_overflow,
			(unsigned long long)fs->dropped_timeout, (unsigned long long)fs->dropped_evicted);
	uint64_t beyond = 0;
	for (guint i = 0; i < a->tunnels->len; i++) {
		const struct tunnel *tun = ((const struct tunnel_analysis *)g_ptr_array_index(a->tunnels, i))->tun;
		beyond += tun->series[0].dropped_packets + tun->series[1].dropped_packets;
	}
	if (beyond)
		fprintf(f, "Throughput: %llu packets lie more than %llu windows after their tunnel began and are not "
			   "in the throughput series (use a longer --window)\n",
			(unsigned long long)beyond, (unsigned long long)SERIES_DEFAULT_MAX_WINDOWS);
	fprintf(f, "Anomalies: %s\n", anomalies ? "" : "none");
	for (int k = 1; k < AN_COUNT; k++)
		if (t->anomalies[k])
			fprintf(f, "  %llu x %s (%s)\n", (unsigned long long)t->anomalies[k], anomaly_text(k),
				anomaly_is_truncation(k) ? "cut by the capture" : "malformed");
	for (guint i = 0; i < a->tunnels->len; i++)
		print_tunnel(a, g_ptr_array_index(a->tunnels, i), f);
}
