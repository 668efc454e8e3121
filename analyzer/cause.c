/* Why did each rekey happen?  Against a known lifetime (negotiated in a
 * decrypted Quick Mode, else assumed from the options) a rekey near the byte
 * or time limit is explained by it.  Without a fitting lifetime the pattern
 * decides: rekeys at the same SA volume while ages vary are volume-triggered;
 * rekeys at the same age while volumes vary are time-triggered. */
#include "analyzer/rekey.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A lifetime explains a rekey when the SA reached this share of it (Yamaha
 * renews at 75 %, Windows and strongSwan near 100 %). */
#define FIT_LOW 0.70
#define FIT_HIGH 1.05
/* A negotiated lifetime the SA reached at least this share of, while it
 * reached under half as much of the other, explains an early (soft) rekey. */
#define SOFT_LOW 0.40
/* Per-packet ESP overhead without keys, for AES-CBC + HMAC-SHA1-96:
 * SPI+seq 8, IV 16, ICV 12, pad length + next header 2, mean padding 7.5. */
#define ESP_OVERHEAD_EST 45.5
/* Pattern inference: one measure must be this steady (relative spread) and
 * clearly steadier than the other. */
#define STEADY_SPREAD 0.10
#define STEADIER_BY 3.0
/* Two rekeys agree by chance too easily to call it a pattern. */
#define PATTERN_MIN 3

static const double MB = 1e6;

static double payload_bytes(const struct rekey_side *s)
{
	if (s->payload_exact)
		return (double)s->trigger_payload_bytes;
	double est = (double)s->trigger_esp_bytes - ESP_OVERHEAD_EST * (double)s->trigger_packets;
	return est > 0 ? est : 0;
}

/* The direction that carried more: a byte lifetime trips on the busier SA. */
static enum dir busier_side(const struct rekey *r)
{
	return r->side[DIR_DOWN].trigger_esp_bytes > r->side[DIR_UP].trigger_esp_bytes ? DIR_DOWN : DIR_UP;
}

static double rekey_age(const struct rekey *r)
{
	return r->age_s;
}

static void negotiated_lifetime(const struct rekey *r, uint64_t *kb, uint64_t *s)
{
	*kb = *s = 0;
	for (int d = 0; d < 2; d++) {
		const struct esp_sa *sa = r->side[d].old_sa;
		if (sa && sa->life_kbytes)
			*kb = sa->life_kbytes;
		if (sa && sa->life_seconds)
			*s = sa->life_seconds;
	}
}

static const char *dir_word(enum dir d) { return d == DIR_UP ? "up" : "down"; }

static void volume_evidence(struct rekey *r, enum dir d, uint64_t kb, const char *how, const char *why)
{
	const struct rekey_side *s = &r->side[d];
	double esp = (double)s->trigger_esp_bytes, pay = payload_bytes(s);
	snprintf(r->evidence, sizeof(r->evidence),
		 "old %s SA carried %.1f MB ESP = %.1f %% of %llu KB x1000 (%.1f %% x1024); "
		 "payload %s%.1f MB = %.1f %% (x1000) / %.1f %% (x1024); in %.1f s; lifetime %s%s",
		 dir_word(d), esp / MB, 100 * esp / (kb * 1000.0), (unsigned long long)kb, 100 * esp / (kb * 1024.0),
		 s->payload_exact ? "" : "~", pay / MB, 100 * pay / (kb * 1000.0), 100 * pay / (kb * 1024.0),
		 rekey_age(r), how, why);
}

static void time_evidence(struct rekey *r, enum dir d, uint64_t secs, const char *how, const char *why)
{
	double age = rekey_age(r);
	snprintf(r->evidence, sizeof(r->evidence),
		 "old SA age %.1f s = %.1f %% of %llu s; it carried %.1f MB ESP (%s); lifetime %s%s", age,
		 100 * age / (double)secs, (unsigned long long)secs, (double)r->side[d].trigger_esp_bytes / MB,
		 dir_word(d), how, why);
}

static bool explain_by_lifetime(struct rekey *r, uint64_t kb, uint64_t secs, enum cause_basis basis)
{
	enum dir d = busier_side(r);
	const struct rekey_side *s = &r->side[d];
	double esp = (double)s->trigger_esp_bytes, pay = payload_bytes(s);
	const char *how = basis == BASIS_NEGOTIATED ? "negotiated" : "assumed (--lifetime-kb/-s)";

	/* the byte measure closest to the lifetime: which one the peer counts is unknown */
	double fv = 0, ft = secs ? rekey_age(r) / (double)secs : 0;
	if (kb && s->old_sa) {
		double cands[4] = { esp / (kb * 1000.0), esp / (kb * 1024.0), pay / (kb * 1000.0), pay / (kb * 1024.0) };
		for (int i = 0; i < 4; i++)
			if (fabs(cands[i] - 1) < fabs(fv - 1))
				fv = cands[i];
	}
	r->basis = basis;
	if (fv >= FIT_LOW && fv <= FIT_HIGH) {
		r->cause = CAUSE_VOLUME;
		volume_evidence(r, d, kb, how, "");
		return true;
	}
	if (ft >= FIT_LOW && ft <= FIT_HIGH) {
		r->cause = CAUSE_TIME;
		time_evidence(r, d, secs, how, "");
		return true;
	}
	/* Peers re-key at a soft lifetime, well before the negotiated hard one
	 * (strongSwan's rekey_time, Yamaha's 75 %): a negotiated lifetime the
	 * SA came a good way towards, while it used little of the other, still
	 * names the trigger. */
	if (basis == BASIS_NEGOTIATED && fmax(fv, ft) >= SOFT_LOW && fmax(fv, ft) <= FIT_HIGH &&
	    fmin(fv, ft) * 2 < fmax(fv, ft)) {
		r->cause = fv > ft ? CAUSE_VOLUME : CAUSE_TIME;
		if (r->cause == CAUSE_VOLUME)
			volume_evidence(r, d, kb, how, "; re-keyed early (a soft lifetime), the SA's age was further from its limit");
		else
			time_evidence(r, d, secs, how, "; re-keyed early (a soft lifetime), the SA's volume was further from its limit");
		return true;
	}
	r->basis = BASIS_NONE;
	return false;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* (max - min) / median */
static double spread(double *v, size_t n, double *median)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return *median > 0 ? (v[n - 1] - v[0]) / *median : INFINITY;
}

static void infer_from_pattern(GArray *rekeys)
{
	GArray *idx = g_array_new(FALSE, FALSE, sizeof(guint));
	for (guint i = 0; i < rekeys->len; i++) {
		struct rekey *r = &g_array_index(rekeys, struct rekey, i);
		if (r->basis == BASIS_NONE && !r->old_before_capture &&
		    (r->side[busier_side(r)].old_sa || r->age_s > 0))
			g_array_append_val(idx, i);
	}
	if (idx->len < PATTERN_MIN) {
		g_array_free(idx, TRUE);
		return;
	}
	double *vol = g_new(double, idx->len), *age = g_new(double, idx->len);
	for (guint k = 0; k < idx->len; k++) {
		struct rekey *r = &g_array_index(rekeys, struct rekey, g_array_index(idx, guint, k));
		vol[k] = (double)r->side[busier_side(r)].trigger_esp_bytes;
		age[k] = rekey_age(r);
	}
	double vol_med, age_med;
	double sv = spread(vol, idx->len, &vol_med), sa = spread(age, idx->len, &age_med);
	enum rekey_cause cause = CAUSE_OTHER;
	if (sv <= STEADY_SPREAD && sv * STEADIER_BY <= sa)
		cause = CAUSE_VOLUME;
	else if (sa <= STEADY_SPREAD && sa * STEADIER_BY <= sv)
		cause = CAUSE_TIME;

	for (guint k = 0; k < idx->len && cause != CAUSE_OTHER; k++) {
		struct rekey *r = &g_array_index(rekeys, struct rekey, g_array_index(idx, guint, k));
		enum dir d = busier_side(r);
		r->cause = cause;
		r->basis = BASIS_INFERRED;
		if (cause == CAUSE_VOLUME)
			snprintf(r->evidence, sizeof(r->evidence),
				 "old %s SA carried %.3f MB ESP; %u rekeys at %.3f MB (spread %.2f %%) while SA ages "
				 "varied %.1f-%.1f s: volume lifetime inferred at ~%.0f KB of ESP",
				 dir_word(d), (double)r->side[d].trigger_esp_bytes / MB, idx->len, vol_med / MB,
				 100 * sv, age[0], age[idx->len - 1], vol_med / 1000);
		else
			snprintf(r->evidence, sizeof(r->evidence),
				 "old SA age %.3f s; %u rekeys at %.3f s (spread %.2f %%) while volumes varied "
				 "%.2f-%.2f MB: time lifetime inferred at ~%.1f s",
				 rekey_age(r), idx->len, age_med, 100 * sa, vol[0] / MB, vol[idx->len - 1] / MB, age_med);
	}
	g_free(vol);
	g_free(age);
	g_array_free(idx, TRUE);
}

/* The old SA of a rekey may have been set up before the capture began, so
 * its age and volume are only lower bounds.  When every other rekey of the
 * tunnel has one cause, this one very likely has it too. */
static void follow_the_tunnel(GArray *rekeys)
{
	unsigned count[3] = { 0, 0, 0 }, others = 0;
	for (guint i = 0; i < rekeys->len; i++) {
		const struct rekey *r = &g_array_index(rekeys, struct rekey, i);
		if (r->basis != BASIS_NONE) {
			count[r->cause]++;
			others++;
		}
	}
	enum rekey_cause cause = count[CAUSE_VOLUME] == others ? CAUSE_VOLUME
				 : count[CAUSE_TIME] == others ? CAUSE_TIME : CAUSE_OTHER;
	for (guint i = 0; i < rekeys->len && others && cause != CAUSE_OTHER; i++) {
		struct rekey *r = &g_array_index(rekeys, struct rekey, i);
		if (r->basis != BASIS_NONE || !r->old_before_capture)
			continue;
		r->cause = cause;
		r->basis = BASIS_INFERRED;
		snprintf(r->evidence, sizeof(r->evidence),
			 "the old SA was in use before the capture began (it carried at least %.3f MB in at least %.3f s); "
			 "the tunnel's other %u rekeys are all %s-triggered",
			 (double)r->side[busier_side(r)].trigger_esp_bytes / MB, rekey_age(r), others,
			 cause == CAUSE_VOLUME ? "volume" : "time");
	}
}

void rekeys_classify(GArray *rekeys, const struct rekey_config *cfg)
{
	for (guint i = 0; i < rekeys->len; i++) {
		struct rekey *r = &g_array_index(rekeys, struct rekey, i);
		r->cause = CAUSE_OTHER;
		r->basis = BASIS_NONE;
		uint64_t kb, secs;
		negotiated_lifetime(r, &kb, &secs);
		if ((kb || secs) && explain_by_lifetime(r, kb, secs, BASIS_NEGOTIATED))
			continue;
		if (!kb && !secs)
			explain_by_lifetime(r, cfg->lifetime_kb, cfg->lifetime_s, BASIS_ASSUMED);
	}
	infer_from_pattern(rekeys);
	follow_the_tunnel(rekeys);
	for (guint i = 0; i < rekeys->len; i++) {
		struct rekey *r = &g_array_index(rekeys, struct rekey, i);
		if (r->basis == BASIS_NONE) {
			enum dir d = busier_side(r);
			snprintf(r->evidence, sizeof(r->evidence),
				 "old %s SA carried %.3f MB ESP in %.3f s: neither lifetime nor a pattern explains it",
				 dir_word(d), (double)r->side[d].trigger_esp_bytes / MB, rekey_age(r));
		}
	}
}
