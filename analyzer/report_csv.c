/* rekeys.csv, sas.csv, throughput.csv, dips.csv: one header row, one row per
 * item, times as ISO-8601 UTC and as seconds since the capture start, SPIs as
 * 0x%08x.  Rows come in a fixed order, so the same capture gives the same bytes. */
#include "analyzer/report.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/fmt.h"

static const char *dir_name[2] = { "up", "down" };

static void put_time(FILE *f, const struct analysis *a, uint64_t ns, bool last)
{
	char iso[40];
	fprintf(f, "%s,%.6f%s", fmt_iso(ns, iso, sizeof(iso)), analysis_rel_s(a, ns), last ? "" : ",");
}

static void put_spi(FILE *f, const struct esp_sa *sa)
{
	if (sa)
		fprintf(f, "0x%08x,", sa->spi);
	else
		fputc(',', f);
}

static void put_spi_val(FILE *f, bool have, uint32_t spi)
{
	if (have)
		fprintf(f, "0x%08x,", spi);
	else
		fputc(',', f);
}

static const char *deleter(const struct tunnel *tun, const struct esp_sa *sa)
{
	return memcmp(&sa->deleted_by, &tun->client, sizeof(sa->deleted_by)) == 0 ? "client" : "server";
}

static void rekeys_csv(FILE *f, const struct analysis *a)
{
	fputs("tunnel,rekey,time,time_s,basis,exchange,ike_sa,msgid,exchange_end_s,age_s,cause,cause_basis", f);
	for (int d = 0; d < 2; d++)
		fprintf(f, ",%1$s_old_spi,%1$s_new_spi,%1$s_old_age_s,%1$s_old_packets,%1$s_old_esp_bytes,"
			   "%1$s_old_payload_bytes,%1$s_old_payload_exact,%1$s_old_last_s,%1$s_new_first_s,"
			   "%1$s_overlap_s,%1$s_late_packets,%1$s_dip,%1$s_old_deleted_s,%1$s_old_deleted_by,"
			   "%1$s_packets_after_delete",
			dir_name[d]);
	fputs(",tcp_retrans_before,tcp_retrans_after,evidence\n", f);
	for (guint i = 0; i < a->tunnels->len; i++) {
		const struct tunnel_analysis *ta = g_ptr_array_index(a->tunnels, i);
		for (guint j = 0; j < ta->rekeys->len; j++) {
			const struct rekey *r = &g_array_index(ta->rekeys, struct rekey, j);
			fprintf(f, "%d,%d,", ta->tun->index, r->index);
			put_time(f, a, r->time_ns, false);
			const struct exchange *x = r->exchange;
			if (x)
				fprintf(f, "ike,%s,%d,0x%08x,%.6f,", exchange_name(x->ike->version, x->type),
					x->ike->index, x->msgid, analysis_rel_s(a, x->end_ns));
			else
				fputs("esp,,,,,", f);
			fprintf(f, "%.6f,%s,%s", r->age_s, rekey_cause_name(r->cause), cause_basis_name(r->basis));
			for (int d = 0; d < 2; d++) {
				const struct rekey_side *s = &r->side[d];
				fputc(',', f);
				put_spi_val(f, s->have_old_spi, s->old_spi);
				put_spi_val(f, s->have_new_spi, s->new_spi);
				if (!s->old_sa) {
					fputs(",,,,,,,,,", f);
				} else {
					fprintf(f, "%.6f,%llu,%llu,%llu,%s,%.6f,", s->old_age_s,
						(unsigned long long)s->trigger_packets,
						(unsigned long long)s->trigger_esp_bytes,
						(unsigned long long)s->trigger_payload_bytes,
						s->payload_exact ? "yes" : "no", analysis_rel_s(a, s->old_sa->last_ns));
					if (s->new_sa)
						fprintf(f, "%.6f,%.6f,", analysis_rel_s(a, s->new_sa->first_ns),
							(double)s->overlap_ns / 1e9);
					else
						fputs(",,", f);
					fprintf(f, "%llu,", (unsigned long long)s->late_packets);
				}
				if (r->dip_index[d] >= 0)
					fprintf(f, "%d", r->dip_index[d] + 1);
				const struct esp_sa *old = s->old_sa;
				if (old && old->deleted_ns)
					fprintf(f, ",%.6f,%s,%llu", analysis_rel_s(a, old->deleted_ns),
						deleter(ta->tun, old), (unsigned long long)old->packets_after_delete);
				else
					fputs(",,,", f);
			}
			fprintf(f, ",%llu,%llu,", (unsigned long long)r->retrans_before,
				(unsigned long long)r->retrans_after);
			csv_field(f, r->evidence);
			fputc('\n', f);
		}
	}
}

static void sas_csv(FILE *f, const struct analysis *a)
{
	fputs("tunnel,dir,sa,spi,src,dst,encapsulation,first,first_s,last,last_s,packets,esp_bytes,ip_bytes,"
	      "seq_first,seq_max,seq_gaps,seq_duplicates,seq_resets,seq_reordered,successor_spi,superseded_s,"
	      "late_packets,life_kbytes,life_seconds,deleted_s,packets_after_delete,decrypted,icv_failures,"
	      "bad_padding,plaintext_bytes,key_source\n", f);
	for (guint i = 0; i < a->tunnels->len; i++) {
		const struct tunnel_analysis *ta = g_ptr_array_index(a->tunnels, i);
		for (int d = 0; d < 2; d++) {
			for (guint j = 0; j < ta->tun->esp_sas->len; j++) {
				const struct esp_sa *sa = g_ptr_array_index(ta->tun->esp_sas, j);
				if ((int)sa->dir != d)
					continue;
				char src[64], dst[64];
				addr_format(&sa->src, src, sizeof(src));
				addr_format(&sa->dst, dst, sizeof(dst));
				fprintf(f, "%d,%s,%d,0x%08x,%s,%s,%s,", ta->tun->index, dir_name[d], sa->index, sa->spi,
					src, dst, sa->in_udp ? "udp-4500" : "esp");
				put_time(f, a, sa->first_ns, false);
				put_time(f, a, sa->last_ns, false);
				fprintf(f, "%llu,%llu,%llu,%u,%u,%llu,%llu,%llu,%llu,",
					(unsigned long long)sa->packets, (unsigned long long)sa->esp_bytes,
					(unsigned long long)sa->ip_bytes, sa->first_seq, sa->max_seq,
					(unsigned long long)sa->seq_gaps, (unsigned long long)sa->seq_dups,
					(unsigned long long)sa->seq_resets, (unsigned long long)sa->seq_reordered);
				put_spi(f, sa->successor);
				if (sa->superseded_ns)
					fprintf(f, "%.6f", analysis_rel_s(a, sa->superseded_ns));
				fprintf(f, ",%llu,", (unsigned long long)sa->late_packets);
				if (sa->life_kbytes)
					fprintf(f, "%llu", (unsigned long long)sa->life_kbytes);
				fputc(',', f);
				if (sa->life_seconds)
					fprintf(f, "%llu", (unsigned long long)sa->life_seconds);
				fputc(',', f);
				if (sa->deleted_ns)
					fprintf(f, "%.6f", analysis_rel_s(a, sa->deleted_ns));
				fprintf(f, ",%llu,%llu,%llu,%llu,%llu,", (unsigned long long)sa->packets_after_delete,
					(unsigned long long)sa->decrypted, (unsigned long long)sa->icv_failures,
					(unsigned long long)sa->bad_padding, (unsigned long long)sa->plaintext_bytes);
				csv_field(f, sa->key_source ? sa->key_source : "none");
				fputc('\n', f);
			}
		}
	}
}

static void throughput_csv(FILE *f, const struct analysis *a)
{
	fputs("tunnel,window,start,start_s,up_bytes,up_packets,up_mbps,down_bytes,down_packets,down_mbps,"
	      "up_goodput_bytes,up_retrans,down_goodput_bytes,down_retrans\n", f);
	for (guint i = 0; i < a->tunnels->len; i++) {
		const struct tunnel_analysis *ta = g_ptr_array_index(a->tunnels, i);
		struct tunnel *t = ta->tun;
		const struct series *up = tunnel_series(t, t->series, DIR_UP);
		const struct series *down = tunnel_series(t, t->series, DIR_DOWN);
		const struct series *gup = tunnel_series(t, t->goodput, DIR_UP);
		const struct series *gdown = tunnel_series(t, t->goodput, DIR_DOWN);
		const struct series *rup = tunnel_series(t, t->retrans, DIR_UP);
		const struct series *rdown = tunnel_series(t, t->retrans, DIR_DOWN);
		size_t n = series_len(up) > series_len(down) ? series_len(up) : series_len(down);
		for (size_t w = 0; w < n; w++) {
			fprintf(f, "%d,%zu,", ta->tun->index, w);
			put_time(f, a, series_window_start_ns(up, w), false);
			fprintf(f, "%llu,%llu,%.3f,%llu,%llu,%.3f,%llu,%llu,%llu,%llu\n",
				(unsigned long long)series_bytes_at(up, w), (unsigned long long)series_packets_at(up, w),
				series_bps_at(up, w) / 1e6, (unsigned long long)series_bytes_at(down, w),
				(unsigned long long)series_packets_at(down, w), series_bps_at(down, w) / 1e6,
				(unsigned long long)series_bytes_at(gup, w), (unsigned long long)series_bytes_at(rup, w),
				(unsigned long long)series_bytes_at(gdown, w), (unsigned long long)series_bytes_at(rdown, w));
		}
	}
}

static void dips_csv(FILE *f, const struct analysis *a)
{
	fputs("tunnel,dir,series,dip,start,start_s,duration_s,depth,max_depth,baseline_mbps,mean_mbps,min_mbps,"
	      "lost_bytes,rekey,rekey_delay_s\n", f);
	for (guint i = 0; i < a->tunnels->len; i++) {
		const struct tunnel_analysis *ta = g_ptr_array_index(a->tunnels, i);
		for (int gd = 0; gd < 2 * (ta->has_goodput ? 2 : 1); gd++) {
			int g = gd / 2, d = gd % 2;
			const struct dip_result *dr = g ? &ta->gdips[d] : &ta->dips[d];
			for (guint k = 0; k < dr->episodes->len; k++) {
				const struct dip_episode *e = dip_episode_at(dr, k);
				fprintf(f, "%d,%s,%s,%u,", ta->tun->index, dir_name[d], g ? "goodput" : "esp", k + 1);
				put_time(f, a, e->start_ns, false);
				fprintf(f, "%.6f,%.4f,%.4f,%.3f,%.3f,%.3f,%llu,", (double)e->duration_ns / 1e9, e->depth,
					e->max_depth, e->baseline_bps / 1e6, e->mean_bps / 1e6, e->min_bps / 1e6,
					(unsigned long long)e->lost_bytes);
				const struct rekey *r = g ? gdip_rekey(ta, d, k) : dip_rekey(ta, d, k);
				if (r)
					fprintf(f, "%d,%.6f", r->index, (double)((int64_t)e->start_ns - (int64_t)r->time_ns) / 1e9);
				else
					fputc(',', f);
				fputc('\n', f);
			}
		}
	}
}

bool report_csv(const struct analysis *a, const char *dir, char **err)
{
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		*err = g_strdup_printf("%s: cannot create directory: %s", dir, g_strerror(errno));
		return false;
	}
	static const struct { const char *name; void (*write)(FILE *, const struct analysis *); } files[] = {
		{ "rekeys.csv", rekeys_csv },
		{ "sas.csv", sas_csv },
		{ "throughput.csv", throughput_csv },
		{ "dips.csv", dips_csv },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		char *path = g_build_filename(dir, files[i].name, NULL);
		FILE *f = fopen(path, "w");
		if (!f) {
			*err = g_strdup_printf("%s: %s", path, g_strerror(errno));
			g_free(path);
			return false;
		}
		files[i].write(f, a);
		bool ok = fclose(f) == 0;
		if (!ok) {
			*err = g_strdup_printf("%s: write failed: %s", path, g_strerror(errno));
			g_free(path);
			return false;
		}
		g_free(path);
	}
	char *svg = g_build_filename(dir, "timeline.svg", NULL);
	bool ok = report_svg(a, svg, err);
	g_free(svg);
	return ok;
}
