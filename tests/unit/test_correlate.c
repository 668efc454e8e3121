/* correlate: rekey <-> dip links, loss shares, random-time lift, what-if. */
#include <glib.h>
#include <math.h>

#include "analyzer/correlate.h"

#define MS (1000ULL * 1000)
#define S (1000ULL * MS)
#define T0 1795548976000000000ULL
#define F 100000ULL /* bytes per 100 ms window = 8 Mbit/s */
#define ACK 2500ULL /* 200 kbit/s of ACKs the other way */

struct dir {
	struct series s;
	struct dip_result r;
};

/* Most cases here were built around a 2 s link window. */
static struct corr_params P2;

static void dir_make(struct dir *d, const uint64_t *v, size_t n)
{
	series_init(&d->s, T0, 100 * MS);
	for (size_t i = 0; i < n; i++)
		series_add(&d->s, T0 + i * 100 * MS + 50 * MS, v[i]);
	dips_find(&d->s, NULL, &d->r);
}

static void dir_free(struct dir *d)
{
	dip_result_free(&d->r);
	series_free(&d->s);
}

static uint64_t *flat(size_t n, uint64_t value)
{
	uint64_t *v = g_new(uint64_t, n);
	for (size_t i = 0; i < n; i++)
		v[i] = value;
	return v;
}

static const struct corr_rekey *rk(const struct corr_result *c, size_t i)
{
	return &g_array_index(c->rekeys, struct corr_rekey, i);
}

static gint64 ep_rekey(const struct corr_result *c, size_t d, size_t e)
{
	return g_array_index(c->episode_rekey[d], gint64, e);
}

static void test_defaults(void)
{
	struct corr_params p;

	corr_params_default(&p);
	g_assert_cmpuint(p.before_ns, ==, 200 * MS);
	g_assert_cmpuint(p.after_ns, ==, 1 * S);
	g_assert_cmpuint(p.n_draws, ==, 1000);
	g_assert_false(p.anchor_first_use);
	g_assert_cmpuint(p.lifetime_kb, ==, 0);
	g_assert_cmpuint(p.n_factors, ==, 3);
	g_assert_cmpfloat(p.factors[0], ==, 2);
	g_assert_cmpfloat(p.factors[1], ==, 10);
	g_assert_cmpfloat(p.factors[2], ==, 100);
}

/* 10 minutes upload; each of 19 rekeys (every 30 s) is followed 250 ms later
 * by a 300 ms stall. */
static void test_real_link(void)
{
	size_t n = 6000;
	uint64_t *up = flat(n, F), *down = flat(n, ACK);
	struct rekey_time rekeys[19];
	struct dir d[2];
	struct corr_params p;
	struct corr_result c;

	for (size_t k = 0; k < 19; k++) {
		rekeys[k].start_ns = T0 + 30 * S + 50 * MS + k * 30 * S;
		rekeys[k].first_use_ns = rekeys[k].start_ns + 100 * MS;
		for (size_t i = 303; i <= 305; i++)
			up[i + 300 * k] = 0;
	}
	dir_make(&d[0], up, n);
	dir_make(&d[1], down, n);
	g_assert_cmpuint(d[0].r.episodes->len, ==, 19);
	g_assert_cmpuint(d[1].r.episodes->len, ==, 0);

	const struct dip_result *dirs[2] = { &d[0].r, &d[1].r };
	corr_params_default(&p);
	p.after_ns = 2 * S; /* the values below were worked out for a 2 s window */
	p.lifetime_kb = 250000;
	g_assert_true(correlate(dirs, 2, rekeys, 19, &p, &c));

	g_assert_cmpuint(c.rekeys->len, ==, 19);
	for (size_t k = 0; k < 19; k++) {
		g_assert_cmpuint(rk(&c, k)->anchor_ns, ==, rekeys[k].start_ns);
		g_assert_true(rk(&c, k)->busy);
		g_assert_true(rk(&c, k)->hit);
		g_assert_cmpint(rk(&c, k)->dip[0], ==, (gint64)k);
		g_assert_cmpint(rk(&c, k)->delay_ns[0], ==, 250 * (gint64)MS);
		g_assert_cmpint(rk(&c, k)->dip[1], ==, -1);
		g_assert_cmpuint(rk(&c, k)->n_dips, ==, 1);
		g_assert_cmpuint(rk(&c, k)->lost_bytes, ==, 3 * F);
		g_assert_cmpint(ep_rekey(&c, 0, k), ==, (gint64)k);
	}
	g_assert_cmpuint(c.dips[0], ==, 19);
	g_assert_cmpuint(c.linked_dips[0], ==, 19);
	g_assert_cmpuint(c.linked_lost_bytes[0], ==, 57 * F);
	g_assert_cmpuint(c.unlinked_lost_bytes[0], ==, 0);
	g_assert_cmpuint(c.transferred_bytes[0], ==, 6000 * F - 57 * F);
	g_assert_cmpuint(c.transferred_bytes[1], ==, 6000 * ACK);
	g_assert_cmpfloat_with_epsilon(c.loss_share[0], 57.0 / 6000.0, 1e-15);
	g_assert_cmpfloat(c.loss_share[1], ==, 0.0);
	g_assert_cmpuint(c.transferred_total, ==, 6000 * F - 57 * F + 6000 * ACK);
	g_assert_cmpfloat_with_epsilon(c.loss_share_total,
				       57.0 * F / (6000.0 * F + 6000.0 * ACK), 1e-15);

	/* Random busy moments: a dip start lies in [t-0.2 s, t+2 s] for about
	 * 19 * 2.2 s / 600 s = 7 % of them, so the lift is about 14. */
	g_assert_cmpuint(c.busy_rekeys, ==, 19);
	g_assert_cmpuint(c.hit_rekeys, ==, 19);
	g_assert_cmpfloat(c.rekey_rate, ==, 1.0);
	g_assert_cmpfloat(c.busy_seconds, ==, 600.0);
	g_assert_cmpuint(c.draws, ==, 1000);
	g_assert_cmpuint(c.random_hits, >=, 50);
	g_assert_cmpuint(c.random_hits, <=, 90);
	g_assert_cmpuint(c.random_hits, ==, 71); /* pinned: the PRNG is part of determinism */
	g_assert_cmpfloat(c.random_rate, ==, 0.071);
	g_assert_cmpfloat(c.lift, ==, 1.0 / 0.071);
	g_assert_false(c.lift_is_lower_bound);
	g_assert_cmpfloat(c.p_value, <, 1e-15);
	g_assert_cmpfloat_with_epsilon(c.p_value / pow(72.0 / 1002.0, 19), 1.0, 1e-12);

	/* What-if: the loss scales with the number of rekeys. */
	g_assert_cmpuint(c.n_whatif, ==, 3);
	g_assert_cmpfloat(c.whatif[1].factor, ==, 10);
	g_assert_cmpuint(c.whatif[1].lifetime_kb, ==, 2500000);
	g_assert_cmpfloat(c.whatif[1].rekeys, ==, 1.9);
	g_assert_cmpuint(c.whatif[1].lost_bytes, ==, 570000);
	g_assert_cmpfloat(c.whatif[1].gain, ==, (5700000.0 - 570000.0) / (double)c.transferred_total);
	g_assert_false(c.whatif[1].time_limited);
	g_assert_cmpuint(c.whatif[0].lost_bytes, ==, 2850000);
	g_assert_cmpuint(c.whatif[2].lost_bytes, ==, 57000);

	/* Same input, same numbers. */
	struct corr_result c2;
	g_assert_true(correlate(dirs, 2, rekeys, 19, &p, &c2));
	g_assert_cmpuint(c2.random_hits, ==, c.random_hits);
	corr_result_free(&c2);

	/* Anchored on the first use of the new SA, the dips come 150 ms later. */
	p.anchor_first_use = true;
	g_assert_true(correlate(dirs, 2, rekeys, 19, &p, &c2));
	g_assert_cmpuint(rk(&c2, 3)->anchor_ns, ==, rekeys[3].first_use_ns);
	g_assert_cmpint(rk(&c2, 3)->delay_ns[0], ==, 150 * (gint64)MS);
	g_assert_cmpuint(c2.hit_rekeys, ==, 19);
	corr_result_free(&c2);

	corr_result_free(&c);
	corr_result_free(&c); /* idempotent */
	dir_free(&d[0]);
	dir_free(&d[1]);
	g_free(up);
	g_free(down);
}

/* The edges of [-0.2 s, +2 s], a dip far from any rekey, a dip in the
 * other direction, and a rekey while idle. */
static void test_near_and_far(void)
{
	size_t n = 1500;
	uint64_t *up = flat(n, F), *down = flat(n, ACK);
	struct rekey_time rekeys[4] = {
		{ T0 + 10 * S, 0 },  /* dip at 9.8 s: -0.2 s, linked */
		{ T0 + 40 * S, 0 },  /* dip at 42.0 s: +2 s, linked */
		{ T0 + 70 * S, 0 },  /* up dips at 69.7 and 72.1: outside; down dip at 70.5 */
		{ T0 + 135 * S, 0 }, /* idle */
	};
	struct dir d[2];
	struct corr_result c;

	up[98] = up[420] = up[697] = up[721] = up[1000] = 0;
	down[705] = down[706] = 0;
	for (size_t i = 1200; i < n; i++)
		up[i] = down[i] = 0;
	dir_make(&d[0], up, n);
	dir_make(&d[1], down, n);
	g_assert_cmpuint(d[0].r.episodes->len, ==, 5);
	g_assert_cmpuint(d[1].r.episodes->len, ==, 1);

	const struct dip_result *dirs[2] = { &d[0].r, &d[1].r };
	g_assert_true(correlate(dirs, 2, rekeys, 4, &P2, &c));

	g_assert_cmpint(rk(&c, 0)->dip[0], ==, 0);
	g_assert_cmpint(rk(&c, 0)->delay_ns[0], ==, -200 * (gint64)MS);
	g_assert_cmpint(rk(&c, 1)->dip[0], ==, 1);
	g_assert_cmpint(rk(&c, 1)->delay_ns[0], ==, 2000 * (gint64)MS);
	g_assert_cmpint(rk(&c, 2)->dip[0], ==, -1);
	g_assert_cmpint(rk(&c, 2)->dip[1], ==, 0);
	g_assert_cmpint(rk(&c, 2)->delay_ns[1], ==, 500 * (gint64)MS);
	g_assert_true(rk(&c, 2)->hit);
	g_assert_cmpuint(rk(&c, 2)->lost_bytes, ==, 2 * ACK);
	g_assert_false(rk(&c, 3)->busy);
	g_assert_false(rk(&c, 3)->hit);

	g_assert_cmpint(ep_rekey(&c, 0, 0), ==, 0);
	g_assert_cmpint(ep_rekey(&c, 0, 1), ==, 1);
	g_assert_cmpint(ep_rekey(&c, 0, 2), ==, -1); /* 69.7 s */
	g_assert_cmpint(ep_rekey(&c, 0, 3), ==, -1); /* 72.1 s */
	g_assert_cmpint(ep_rekey(&c, 0, 4), ==, -1); /* 100 s */
	g_assert_cmpint(ep_rekey(&c, 1, 0), ==, 2);
	g_assert_cmpuint(c.linked_dips[0], ==, 2);
	g_assert_cmpuint(c.linked_dips[1], ==, 1);
	g_assert_cmpuint(c.linked_lost_bytes[0], ==, 2 * F);
	g_assert_cmpuint(c.unlinked_lost_bytes[0], ==, 3 * F);
	g_assert_cmpuint(c.linked_lost_bytes[1], ==, 2 * ACK);
	g_assert_cmpuint(c.linked_lost_total, ==, 2 * F + 2 * ACK);
	g_assert_cmpuint(c.unlinked_lost_total, ==, 3 * F);
	g_assert_cmpuint(c.busy_rekeys, ==, 3);
	g_assert_cmpuint(c.hit_rekeys, ==, 3);
	g_assert_cmpfloat(c.busy_seconds, ==, 120.0);

	corr_result_free(&c);
	dir_free(&d[0]);
	dir_free(&d[1]);
	g_free(up);
	g_free(down);
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* Dips and rekeys at independent random times: the lift is about 1 and
 * the p-value unremarkable. */
static void test_random_dips(void)
{
	size_t n = 36000; /* one hour */
	uint64_t *up = flat(n, F);
	struct rekey_time rekeys[100];
	uint64_t x = 42;
	struct dir d;
	struct corr_result c;

	for (size_t k = 0; k < 200; k++) { /* one 2-window stall per 18 s slot */
		size_t at = k * 180 + lcg(&x) % 170;
		up[at] = up[at + 1] = 0;
	}
	for (size_t k = 0; k < 100; k++)
		rekeys[k] = (struct rekey_time){ T0 + (lcg(&x) % 3600000) * MS, 0 };
	dir_make(&d, up, n);
	g_assert_cmpuint(d.r.episodes->len, ==, 200);

	const struct dip_result *dirs[1] = { &d.r };
	g_assert_true(correlate(dirs, 1, rekeys, 100, &P2, &c));
	g_assert_cmpuint(c.busy_rekeys, ==, 100);
	g_test_message("random dips: rekeys %zu/%zu, random %u/%u, lift %.3f, p %.3f",
		       c.hit_rekeys, c.busy_rekeys, c.random_hits, c.draws, c.lift, c.p_value);
	/* expected: 200 dips * 2.2 s / 3600 s = 12 % for both */
	g_assert_cmpfloat(c.random_rate, >, 0.09);
	g_assert_cmpfloat(c.random_rate, <, 0.15);
	g_assert_cmpfloat(c.lift, >, 0.5);
	g_assert_cmpfloat(c.lift, <, 1.6);
	g_assert_cmpfloat(c.p_value, >, 0.05);

	corr_result_free(&c);
	dir_free(&d);
	g_free(up);
}

static void test_whatif_arithmetic(void)
{
	/* 20 rekeys cost 1 MB of 9 MB: 10x the lifetime, 2 rekeys, 100 kB */
	struct corr_whatif w = corr_whatif_for(10, 250000, 0, 20, 1000000, 9000000, 600);

	g_assert_cmpfloat(w.factor, ==, 10);
	g_assert_cmpuint(w.lifetime_kb, ==, 2500000);
	g_assert_cmpfloat(w.rekeys, ==, 2);
	g_assert_cmpuint(w.lost_bytes, ==, 100000);
	g_assert_cmpfloat(w.gain, ==, 0.1);
	g_assert_false(w.time_limited);

	/* 10 h busy and a 3600 s time lifetime: at least 10 rekeys remain */
	w = corr_whatif_for(10, 250000, 3600, 20, 1000000, 9000000, 36000);
	g_assert_true(w.time_limited);
	g_assert_cmpfloat(w.rekeys, ==, 10);
	g_assert_cmpuint(w.lost_bytes, ==, 500000);
	g_assert_cmpfloat(w.gain, ==, 500000.0 / 9000000.0);

	/* the time lifetime never adds rekeys */
	w = corr_whatif_for(2, 0, 60, 5, 1000, 100000, 3600);
	g_assert_cmpfloat(w.rekeys, ==, 5);
	g_assert_cmpuint(w.lifetime_kb, ==, 0);
	g_assert_cmpfloat(w.gain, ==, 0.0);

	w = corr_whatif_for(1, 250000, 0, 20, 1000000, 9000000, 600);
	g_assert_cmpfloat(w.gain, ==, 0.0);
	w = corr_whatif_for(10, 250000, 0, 0, 0, 9000000, 600);
	g_assert_cmpfloat(w.gain, ==, 0.0);
	w = corr_whatif_for(10, 250000, 0, 20, 1000000, 0, 600);
	g_assert_cmpfloat(w.gain, ==, 0.0);
}

static void test_binomial(void)
{
	g_assert_cmpfloat(corr_binomial_tail(3, 2, 0.5), ==, 0.5);
	g_assert_cmpfloat_with_epsilon(corr_binomial_tail(4, 4, 0.5), 1.0 / 16, 1e-15);
	g_assert_cmpfloat_with_epsilon(corr_binomial_tail(1, 1, 0.3), 0.3, 1e-15);
	g_assert_cmpfloat(corr_binomial_tail(10, 0, 0.2), ==, 1.0);
	g_assert_cmpfloat(corr_binomial_tail(5, 6, 0.2), ==, 0.0);
	g_assert_cmpfloat(corr_binomial_tail(5, 1, 0.0), ==, 0.0);
	g_assert_cmpfloat(corr_binomial_tail(5, 5, 1.0), ==, 1.0);
	/* large n stays finite and sane */
	double t = corr_binomial_tail(10000, 5000, 0.5);
	g_assert_cmpfloat(t, >, 0.49);
	g_assert_cmpfloat(t, <, 0.51);
}

/* No random moment hits: the lift is a lower bound from 1/draws. */
static void test_lift_lower_bound(void)
{
	size_t n = 600;
	uint64_t *up = flat(n, F);
	struct rekey_time rekey = { T0 + 29 * S + 950 * MS, 0 };
	struct corr_params p;
	struct dir d;
	struct corr_result c;

	up[300] = 0; /* one dip, 50 ms after the rekey */
	dir_make(&d, up, n);
	const struct dip_result *dirs[1] = { &d.r };
	corr_params_default(&p);
	p.n_draws = 10;
	g_assert_true(correlate(dirs, 1, &rekey, 1, &p, &c));
	g_assert_cmpuint(c.hit_rekeys, ==, 1);
	g_assert_cmpuint(c.draws, ==, 10);
	g_assert_cmpuint(c.random_hits, ==, 0);
	g_assert_true(c.lift_is_lower_bound);
	g_assert_cmpfloat(c.lift, ==, 10.0);
	g_assert_cmpfloat(c.p_value, ==, 1.0 / 12.0);
	corr_result_free(&c);
	dir_free(&d);
	g_free(up);
}

/* With 1 s windows, a dip in the rekey's own window starts up to 1 s
 * before it: the "before" margin grows to one window. */
static void test_long_window(void)
{
	struct series s;
	struct dip_result r;
	struct corr_result c;
	struct rekey_time rekeys[2] = { { T0 + 30 * S + 900 * MS, 0 }, { T0 + 11 * S + 100 * MS, 0 } };

	series_init(&s, T0, S);
	for (size_t i = 0; i < 60; i++)
		series_add(&s, T0 + i * S, (i == 30 || i == 10) ? 0 : 10 * F);
	dips_find(&s, NULL, &r);
	g_assert_cmpuint(r.half_span, ==, 3);
	g_assert_cmpuint(r.episodes->len, ==, 2);
	const struct dip_result *dirs[1] = { &r };
	g_assert_true(correlate(dirs, 1, rekeys, 2, &P2, &c));
	g_assert_cmpint(rk(&c, 0)->dip[0], ==, 1);
	g_assert_cmpint(rk(&c, 0)->delay_ns[0], ==, -900 * (gint64)MS);
	g_assert_cmpint(rk(&c, 1)->dip[0], ==, -1); /* 1.1 s after the dip began */
	corr_result_free(&c);
	dip_result_free(&r);
	series_free(&s);
}

static void test_empty_and_mismatch(void)
{
	struct dir d;
	struct corr_result c;
	struct rekey_time rekey = { T0 + S, 0 };

	dir_make(&d, NULL, 0);
	const struct dip_result *dirs[2] = { &d.r, &d.r };
	g_assert_true(correlate(dirs, 1, NULL, 0, &P2, &c));
	g_assert_cmpuint(c.rekeys->len, ==, 0);
	g_assert_cmpuint(c.draws, ==, 0);
	g_assert_cmpfloat(c.lift, ==, 0.0);
	g_assert_cmpfloat(c.p_value, ==, 1.0);
	g_assert_cmpfloat(c.loss_share_total, ==, 0.0);
	g_assert_cmpuint(c.n_whatif, ==, 3);
	g_assert_cmpfloat(c.whatif[0].gain, ==, 0.0);
	corr_result_free(&c);

	g_assert_true(correlate(dirs, 2, &rekey, 1, &P2, &c));
	g_assert_false(rk(&c, 0)->busy);
	g_assert_cmpuint(c.busy_rekeys, ==, 0);
	corr_result_free(&c);

	g_assert_false(correlate(dirs, 0, NULL, 0, &P2, &c));
	g_assert_false(correlate(dirs, 3, NULL, 0, &P2, &c));

	struct dip_result other = d.r;
	other.window_ns = 10 * MS;
	const struct dip_result *bad[2] = { &d.r, &other };
	g_assert_false(correlate(bad, 2, NULL, 0, &P2, &c));
	dir_free(&d);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	corr_params_default(&P2);
	P2.after_ns = 2 * S;
	g_test_add_func("/correlate/defaults", test_defaults);
	g_test_add_func("/correlate/real-link", test_real_link);
	g_test_add_func("/correlate/near-and-far", test_near_and_far);
	g_test_add_func("/correlate/random-dips", test_random_dips);
	g_test_add_func("/correlate/whatif-arithmetic", test_whatif_arithmetic);
	g_test_add_func("/correlate/binomial", test_binomial);
	g_test_add_func("/correlate/lift-lower-bound", test_lift_lower_bound);
	g_test_add_func("/correlate/long-window", test_long_window);
	g_test_add_func("/correlate/empty-and-mismatch", test_empty_and_mismatch);
	return g_test_run();
}
