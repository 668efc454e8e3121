/* Rekey <-> dip correlation; see correlate.h. */
#include "analyzer/correlate.h"

#include <math.h>
#include <string.h>

void corr_params_default(struct corr_params *p)
{
	memset(p, 0, sizeof *p);
	p->before_ns = CORR_DEFAULT_BEFORE_NS;
	p->after_ns = CORR_DEFAULT_AFTER_NS;
	p->n_draws = CORR_DEFAULT_DRAWS;
	p->seed = CORR_DEFAULT_SEED;
	p->n_factors = 3;
	p->factors[0] = 2;
	p->factors[1] = 10;
	p->factors[2] = 100;
}

/* splitmix64: tiny, fixed, the same numbers on every platform and GLib. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); the bias of 53-bit scaling is far below 1e-9. */
static uint64_t draw_below(uint64_t *state, uint64_t n)
{
	uint64_t r = (uint64_t)((double)(splitmix64(state) >> 11) * 0x1.0p-53 * (double)n);

	return r < n ? r : n - 1;
}

/* First episode (sorted by start) starting at or after lo_ns. */
static size_t first_at_or_after(const GArray *eps, uint64_t lo_ns)
{
	size_t lo = 0, hi = eps->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g_array_index(eps, struct dip_episode, mid).start_ns < lo_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t win_lo(uint64_t t, const struct corr_params *p)
{
	return t > p->before_ns ? t - p->before_ns : 0;
}

static uint64_t win_hi(uint64_t t, const struct corr_params *p)
{
	return t > UINT64_MAX - p->after_ns ? UINT64_MAX : t + p->after_ns;
}

static bool any_dip_in(const struct dip_result *const *dirs, size_t n_dirs, uint64_t t,
		       const struct corr_params *p)
{
	uint64_t lo = win_lo(t, p), hi = win_hi(t, p);

	for (size_t d = 0; d < n_dirs; d++) {
		const GArray *eps = dirs[d]->episodes;
		size_t e = first_at_or_after(eps, lo);
		if (e < eps->len && g_array_index(eps, struct dip_episode, e).start_ns <= hi)
			return true;
	}
	return false;
}

static bool busy_at(const struct dip_result *const *dirs, size_t n_dirs, size_t w)
{
	for (size_t d = 0; d < n_dirs; d++)
		if (w < dirs[d]->n_windows &&
		    g_array_index(dirs[d]->state, guint8, w) != DIP_STATE_IDLE)
			return true;
	return false;
}

double corr_binomial_tail(size_t trials, size_t hits, double p)
{
	if (hits == 0)
		return 1.0;
	if (hits > trials || p <= 0.0)
		return 0.0;
	if (p >= 1.0)
		return 1.0;

	double lp = log(p), lq = log1p(-p), ln_n = lgamma((double)trials + 1), sum = 0;
	for (size_t j = hits; j <= trials; j++) {
		double term = ln_n - lgamma((double)j + 1) - lgamma((double)(trials - j) + 1) +
			      (double)j * lp + (double)(trials - j) * lq;
		sum += exp(term);
	}
	return sum < 1.0 ? sum : 1.0;
}

struct corr_whatif corr_whatif_for(double factor, uint64_t lifetime_kb, uint64_t lifetime_s,
				   double rekeys, uint64_t lost, uint64_t transferred,
				   double busy_seconds)
{
	struct corr_whatif w = { .factor = factor };
	double now = rekeys, then;

	w.lifetime_kb = (uint64_t)llround(factor * (double)lifetime_kb);
	if (factor <= 0)
		factor = 1;
	then = now / factor;
	/* The time lifetime still forces a rekey every lifetime_s of traffic
	 * (Windows: 3600 s), however large the byte lifetime becomes. */
	if (lifetime_s > 0 && busy_seconds / (double)lifetime_s > then) {
		then = busy_seconds / (double)lifetime_s;
		w.time_limited = true;
	}
	if (then > now)
		then = now;
	w.rekeys = then;
	w.lost_bytes = now > 0 ? (uint64_t)llround((double)lost * then / now) : lost;
	w.gain = transferred > 0 ? (double)(lost - w.lost_bytes) / (double)transferred : 0.0;
	return w;
}

bool correlate(const struct dip_result *const *dirs, size_t n_dirs,
	       const struct rekey_time *rekeys, size_t n_rekeys,
	       const struct corr_params *p, struct corr_result *out)
{
	struct corr_params def;

	if (!p) {
		corr_params_default(&def);
		p = &def;
	}
	if (n_dirs < 1 || n_dirs > CORR_MAX_DIRS)
		return false;
	for (size_t d = 1; d < n_dirs; d++)
		if (dirs[d]->t0_ns != dirs[0]->t0_ns || dirs[d]->window_ns != dirs[0]->window_ns)
			return false;

	const uint64_t t0 = dirs[0]->t0_ns, win = dirs[0]->window_ns;
	size_t n_windows = 0;
	struct corr_params eff = *p;

	/* A dip's start is its window's start: with long windows, a dip in
	 * the rekey's own window can begin up to one window before it. */
	if (eff.before_ns < win)
		eff.before_ns = win;
	p = &eff;

	memset(out, 0, sizeof *out);
	out->n_dirs = n_dirs;
	out->rekeys = g_array_sized_new(FALSE, TRUE, sizeof(struct corr_rekey), (guint)n_rekeys);
	for (size_t d = 0; d < n_dirs; d++) {
		const GArray *eps = dirs[d]->episodes;
		out->episode_rekey[d] = g_array_sized_new(FALSE, FALSE, sizeof(gint64), eps->len);
		for (guint e = 0; e < eps->len; e++) {
			gint64 none = -1;
			g_array_append_val(out->episode_rekey[d], none);
		}
		out->dips[d] = eps->len;
		out->transferred_bytes[d] = dirs[d]->total_bytes;
		out->transferred_total += dirs[d]->total_bytes;
		if (dirs[d]->n_windows > n_windows)
			n_windows = dirs[d]->n_windows;
	}

	/* Each dip belongs to the rekey whose anchor comes last before it (within
	 * the window): with rekeys closer together than the window, the dip
	 * after the second rekey is that rekey's, not the first's. */
	uint64_t *anchor = g_new(uint64_t, n_rekeys ? n_rekeys : 1);
	for (size_t r = 0; r < n_rekeys; r++) {
		anchor[r] = rekeys[r].start_ns;
		if (p->anchor_first_use && rekeys[r].first_use_ns)
			anchor[r] = rekeys[r].first_use_ns;
	}
	for (size_t r = 0; r < n_rekeys; r++) {
		uint64_t lo = win_lo(anchor[r], p), hi = win_hi(anchor[r], p);
		for (size_t d = 0; d < n_dirs; d++) {
			const GArray *eps = dirs[d]->episodes;
			for (size_t e = first_at_or_after(eps, lo); e < eps->len; e++) {
				const struct dip_episode *ep = &g_array_index(eps, struct dip_episode, e);
				if (ep->start_ns > hi)
					break;
				gint64 *link = &g_array_index(out->episode_rekey[d], gint64, e);
				if (*link < 0)
					*link = (gint64)r;
				else if (anchor[r] > anchor[*link] && anchor[r] <= ep->start_ns + p->before_ns)
					*link = (gint64)r;
				else if (anchor[*link] > ep->start_ns + p->before_ns && anchor[r] < anchor[*link])
					*link = (gint64)r;
			}
		}
	}
	for (size_t r = 0; r < n_rekeys; r++) {
		struct corr_rekey cr = { .anchor_ns = anchor[r] };
		size_t w = cr.anchor_ns <= t0 ? 0 : (size_t)((cr.anchor_ns - t0) / win);
		cr.busy = busy_at(dirs, n_dirs, w);
		for (size_t d = 0; d < n_dirs; d++) {
			const GArray *eps = dirs[d]->episodes;
			cr.dip[d] = -1;
			for (size_t e = 0; e < eps->len; e++) {
				if (g_array_index(out->episode_rekey[d], gint64, e) != (gint64)r)
					continue;
				const struct dip_episode *ep = &g_array_index(eps, struct dip_episode, e);
				if (cr.dip[d] < 0) {
					cr.dip[d] = (gint64)e;
					cr.delay_ns[d] = (gint64)ep->start_ns - (gint64)cr.anchor_ns;
				}
				cr.n_dips++;
				cr.lost_bytes += ep->lost_bytes;
			}
		}
		cr.hit = cr.n_dips > 0;
		if (cr.busy) {
			out->busy_rekeys++;
			if (cr.hit)
				out->hit_rekeys++;
		}
		g_array_append_val(out->rekeys, cr);
	}
	g_free(anchor);

	/* What the linked and the other dips cost. */
	for (size_t d = 0; d < n_dirs; d++) {
		const GArray *eps = dirs[d]->episodes;
		for (guint e = 0; e < eps->len; e++) {
			uint64_t lost = g_array_index(eps, struct dip_episode, e).lost_bytes;
			if (g_array_index(out->episode_rekey[d], gint64, e) >= 0) {
				out->linked_dips[d]++;
				out->linked_lost_bytes[d] += lost;
			} else {
				out->unlinked_lost_bytes[d] += lost;
			}
		}
		out->linked_lost_total += out->linked_lost_bytes[d];
		out->unlinked_lost_total += out->unlinked_lost_bytes[d];
		uint64_t denom = out->transferred_bytes[d] + out->linked_lost_bytes[d];
		out->loss_share[d] = denom ? (double)out->linked_lost_bytes[d] / (double)denom : 0.0;
	}
	uint64_t denom = out->transferred_total + out->linked_lost_total;
	out->loss_share_total = denom ? (double)out->linked_lost_total / (double)denom : 0.0;

	/* Random busy moments: how often is an arbitrary moment followed by a dip? */
	GArray *busy = g_array_new(FALSE, FALSE, sizeof(guint32));
	for (size_t w = 0; w < n_windows; w++) {
		if (busy_at(dirs, n_dirs, w)) {
			guint32 w32 = (guint32)w;
			g_array_append_val(busy, w32);
		}
	}
	out->busy_seconds = (double)busy->len * (double)win / 1e9;
	if (busy->len > 0) {
		uint64_t state = p->seed;
		for (unsigned i = 0; i < p->n_draws; i++) {
			guint32 w = g_array_index(busy, guint32, draw_below(&state, busy->len));
			uint64_t t = t0 + (uint64_t)w * win + draw_below(&state, win);
			if (any_dip_in(dirs, n_dirs, t, p))
				out->random_hits++;
		}
		out->draws = p->n_draws;
	}
	g_array_free(busy, TRUE);

	if (out->busy_rekeys)
		out->rekey_rate = (double)out->hit_rekeys / (double)out->busy_rekeys;
	if (out->draws) {
		out->random_rate = (double)out->random_hits / (double)out->draws;
		double base = out->random_rate;
		if (out->random_hits == 0) {
			base = 1.0 / (double)out->draws;
			out->lift_is_lower_bound = true;
		}
		out->lift = out->rekey_rate / base;
		double p0 = ((double)out->random_hits + 1.0) / ((double)out->draws + 2.0);
		out->p_value = corr_binomial_tail(out->busy_rekeys, out->hit_rekeys, p0);
	} else {
		out->p_value = 1.0;
	}

	/* What-if: rekey-linked loss scales with the number of rekeys. */
	out->n_whatif = p->n_factors < CORR_MAX_FACTORS ? p->n_factors : CORR_MAX_FACTORS;
	for (size_t i = 0; i < out->n_whatif; i++)
		out->whatif[i] = corr_whatif_for(p->factors[i], p->lifetime_kb, p->lifetime_s,
						 (double)out->busy_rekeys, out->linked_lost_total,
						 out->transferred_total, out->busy_seconds);
	return true;
}

void corr_result_free(struct corr_result *r)
{
	if (r->rekeys)
		g_array_free(r->rekeys, TRUE);
	r->rekeys = NULL;
	for (size_t d = 0; d < CORR_MAX_DIRS; d++) {
		if (r->episode_rekey[d])
			g_array_free(r->episode_rekey[d], TRUE);
		r->episode_rekey[d] = NULL;
	}
}
