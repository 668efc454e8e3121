/* dips: rolling-median baseline, threshold, idle exclusion, episode merging. */
#include <glib.h>

#include "analyzer/dips.h"

#define MS (1000ULL * 1000)
#define T0 1795548976000000000ULL
#define F 100000ULL /* bytes per 100 ms window = 8 Mbit/s */

/* One packet per window, in the middle of it. */
static void make_series(struct series *s, const uint64_t *v, size_t n)
{
	series_init(s, T0, 100 * MS);
	for (size_t i = 0; i < n; i++)
		series_add(s, T0 + i * 100 * MS + 50 * MS, v[i]);
	series_extend_to(s, T0 + (n ? n - 1 : 0) * 100 * MS);
}

static uint64_t *flat(size_t n, uint64_t value)
{
	uint64_t *v = g_new(uint64_t, n);
	for (size_t i = 0; i < n; i++)
		v[i] = value;
	return v;
}

static guint8 state_at(const struct dip_result *r, size_t i)
{
	return g_array_index(r->state, guint8, i);
}

static uint64_t baseline_at(const struct dip_result *r, size_t i)
{
	return g_array_index(r->baseline, guint64, i);
}

static void test_defaults(void)
{
	struct dip_params p;

	dip_params_default(&p);
	g_assert_cmpuint(p.baseline_ns, ==, 3000 * MS);
	g_assert_cmpfloat(p.threshold, ==, 0.3);
	g_assert_cmpfloat(p.idle_fraction, ==, 0.05);
	g_assert_cmpfloat(p.min_bps, ==, 100e3);
	g_assert_cmpuint(p.max_gap_ns, ==, 200 * MS);
}

/* Flat 8 Mbit/s with dips of known place and depth. */
static void test_flat_with_dips(void)
{
	size_t n = 600;
	uint64_t *v = flat(n, F);
	struct series s;
	struct dip_result r;

	v[100] = v[101] = v[102] = 0;                 /* A: 300 ms stall */
	for (size_t i = 300; i <= 304; i++)
		v[i] = F / 2;                         /* B: 500 ms at -50 % */
	v[400] = 70000;                               /* exactly -30 %: not a dip */
	v[450] = 69999;                               /* just below: a dip */
	make_series(&s, v, n);
	dips_find(&s, NULL, &r);

	g_assert_cmpuint(r.n_windows, ==, 600);
	g_assert_cmpuint(r.half_span, ==, 30);
	g_assert_cmpuint(r.busy_median, ==, F);
	g_assert_cmpuint(r.idle_floor, ==, 5000);      /* 5 % of F > 1250 (100 kbit/s) */
	g_assert_cmpuint(r.busy_windows, ==, 600);
	g_assert_cmpuint(r.total_bytes, ==, 600 * F - 3 * F - 5 * F / 2 - 30000 - 30001);
	g_assert_cmpuint(r.episodes->len, ==, 3);

	const struct dip_episode *a = dip_episode_at(&r, 0);
	g_assert_cmpuint(a->first, ==, 100);
	g_assert_cmpuint(a->n_windows, ==, 3);
	g_assert_cmpuint(a->start_ns, ==, T0 + 10000 * MS);
	g_assert_cmpuint(a->duration_ns, ==, 300 * MS);
	g_assert_cmpfloat(a->baseline_bps, ==, 8e6);
	g_assert_cmpfloat(a->mean_bps, ==, 0.0);
	g_assert_cmpfloat(a->min_bps, ==, 0.0);
	g_assert_cmpfloat(a->depth, ==, 1.0);
	g_assert_cmpfloat(a->max_depth, ==, 1.0);
	g_assert_cmpuint(a->bytes, ==, 0);
	g_assert_cmpuint(a->lost_bytes, ==, 3 * F);

	const struct dip_episode *b = dip_episode_at(&r, 1);
	g_assert_cmpuint(b->first, ==, 300);
	g_assert_cmpuint(b->n_windows, ==, 5);
	g_assert_cmpfloat(b->mean_bps, ==, 4e6);
	g_assert_cmpfloat(b->min_bps, ==, 4e6);
	g_assert_cmpfloat(b->depth, ==, 0.5);
	g_assert_cmpuint(b->lost_bytes, ==, 5 * F / 2);

	const struct dip_episode *d = dip_episode_at(&r, 2);
	g_assert_cmpuint(d->first, ==, 450);
	g_assert_cmpuint(d->n_windows, ==, 1);
	g_assert_cmpuint(d->lost_bytes, ==, 30001);
	g_assert_cmpfloat_with_epsilon(d->depth, 0.30001, 1e-12);

	g_assert_cmpuint(state_at(&r, 101), ==, DIP_STATE_LOW);
	g_assert_cmpuint(state_at(&r, 400), ==, DIP_STATE_BUSY);
	g_assert_cmpuint(baseline_at(&r, 101), ==, F);
	g_assert_cmpuint(r.lost_bytes, ==, 3 * F + 5 * F / 2 + 30001);

	dip_result_free(&r);
	series_free(&s);
	g_free(v);
}

/* Dip windows at most max_gap apart form one episode; a gap window above
 * the baseline offsets the loss. */
static void test_merge(void)
{
	size_t n = 800;
	uint64_t *v = flat(n, F);
	struct series s;
	struct dip_result r;

	v[100] = v[102] = 0;                 /* gap of 1 window: merged */
	v[200] = v[203] = 0;                 /* gap of 2 (= 200 ms): merged */
	v[300] = v[304] = 0;                 /* gap of 3: two episodes */
	v[500] = v[502] = 0; v[501] = F + F / 2; /* catch-up burst in the gap */
	make_series(&s, v, n);
	dips_find(&s, NULL, &r);

	g_assert_cmpuint(r.episodes->len, ==, 5);
	const struct dip_episode *e = dip_episode_at(&r, 0);
	g_assert_cmpuint(e->first, ==, 100);
	g_assert_cmpuint(e->n_windows, ==, 3);
	g_assert_cmpuint(e->bytes, ==, F);
	g_assert_cmpuint(e->lost_bytes, ==, 2 * F);
	g_assert_cmpfloat_with_epsilon(e->depth, 2.0 / 3.0, 1e-12);
	g_assert_cmpfloat(e->max_depth, ==, 1.0);
	g_assert_cmpfloat(e->min_bps, ==, 0.0);

	e = dip_episode_at(&r, 1);
	g_assert_cmpuint(e->first, ==, 200);
	g_assert_cmpuint(e->n_windows, ==, 4);
	g_assert_cmpuint(e->duration_ns, ==, 400 * MS);

	g_assert_cmpuint(dip_episode_at(&r, 2)->first, ==, 300);
	g_assert_cmpuint(dip_episode_at(&r, 2)->n_windows, ==, 1);
	g_assert_cmpuint(dip_episode_at(&r, 3)->first, ==, 304);

	e = dip_episode_at(&r, 4);
	g_assert_cmpuint(e->first, ==, 500);
	g_assert_cmpuint(e->n_windows, ==, 3);
	g_assert_cmpuint(e->lost_bytes, ==, 2 * F - F / 2);

	/* With max_gap 0, every dip window stands alone. */
	struct dip_params p;
	dip_params_default(&p);
	p.max_gap_ns = 0;
	dip_result_free(&r);
	dips_find(&s, &p, &r);
	g_assert_cmpuint(r.episodes->len, ==, 8);

	dip_result_free(&r);
	series_free(&s);
	g_free(v);
}

/* A transfer that stops is not a dip; a 0.5 s stall inside one is.  Traffic
 * under 5 % of the busy median (a trickle) cannot dip either. */
static void test_idle_is_not_a_dip(void)
{
	size_t n = 1200;
	uint64_t *v = flat(n, F);
	struct series s;
	struct dip_result r;

	for (size_t i = 200; i < 400; i++)
		v[i] = 50;                      /* keepalives only */
	for (size_t i = 600; i < 800; i++)
		v[i] = 4000;                    /* 320 kbit/s trickle: < 5 % of F */
	for (size_t i = 700; i < 705; i++)
		v[i] = 0;                       /* the trickle pauses */
	for (size_t i = 100; i < 105; i++)
		v[i] = 0;                       /* a real stall */
	make_series(&s, v, n);
	dips_find(&s, NULL, &r);

	g_assert_cmpuint(r.episodes->len, ==, 1);
	g_assert_cmpuint(dip_episode_at(&r, 0)->first, ==, 100);
	g_assert_cmpuint(dip_episode_at(&r, 0)->n_windows, ==, 5);
	g_assert_cmpfloat(dip_episode_at(&r, 0)->depth, ==, 1.0);
	/* The centred median switches exactly at each edge. */
	g_assert_cmpuint(state_at(&r, 199), ==, DIP_STATE_BUSY);
	g_assert_cmpuint(state_at(&r, 200), ==, DIP_STATE_IDLE);
	g_assert_cmpuint(state_at(&r, 399), ==, DIP_STATE_IDLE);
	g_assert_cmpuint(state_at(&r, 400), ==, DIP_STATE_BUSY);
	g_assert_cmpuint(state_at(&r, 599), ==, DIP_STATE_BUSY);
	g_assert_cmpuint(state_at(&r, 600), ==, DIP_STATE_IDLE);
	g_assert_cmpuint(state_at(&r, 702), ==, DIP_STATE_IDLE);
	g_assert_cmpuint(state_at(&r, 799), ==, DIP_STATE_IDLE);
	g_assert_cmpuint(state_at(&r, 800), ==, DIP_STATE_BUSY);
	g_assert_cmpuint(r.busy_median, ==, F);
	g_assert_cmpuint(r.busy_windows, ==, 800);
	g_assert_cmpuint(r.busy_bytes, ==, 795 * F);

	dip_result_free(&r);
	series_free(&s);
	g_free(v);
}

/* TCP's ramp-up, at the capture start and after an idle period: the
 * baseline follows it, no dip. */
static void test_ramp_up(void)
{
	size_t n = 800;
	uint64_t *v = flat(n, F);
	struct series s;
	struct dip_result r;

	for (size_t i = 0; i < 10; i++)
		v[i] = (i + 1) * F / 10;          /* linear ramp from the first window */
	for (size_t i = 300; i < 500; i++)
		v[i] = 0;                         /* idle */
	for (size_t i = 0; i < 8; i++)
		v[500 + i] = (F / 128) << i;      /* slow start: doubling */
	make_series(&s, v, n);
	dips_find(&s, NULL, &r);

	g_assert_cmpuint(r.episodes->len, ==, 0);
	g_assert_cmpuint(baseline_at(&r, 0), ==, F / 10);
	g_assert_cmpuint(baseline_at(&r, 5), ==, 6 * F / 10);
	g_assert_cmpuint(baseline_at(&r, 501), ==, (F / 128) << 1);
	g_assert_cmpuint(state_at(&r, 501), ==, DIP_STATE_IDLE); /* 1562 B < floor 5000 */
	g_assert_cmpuint(state_at(&r, 504), ==, DIP_STATE_BUSY);

	dip_result_free(&r);
	series_free(&s);
	g_free(v);
}

/* A rate change is a new level, not a dip. */
static void test_level_change(void)
{
	size_t n = 600;
	uint64_t *v = flat(n, F);
	struct series s;
	struct dip_result r;

	for (size_t i = 300; i < n; i++)
		v[i] = F / 2;
	make_series(&s, v, n);
	dips_find(&s, NULL, &r);
	g_assert_cmpuint(r.episodes->len, ==, 0);
	g_assert_cmpuint(baseline_at(&r, 299), ==, F);
	g_assert_cmpuint(baseline_at(&r, 300), ==, F / 2);
	dip_result_free(&r);
	series_free(&s);
	g_free(v);
}

/* A dip is found while it is at most h windows long (h = 3 s / 100 ms);
 * a longer outage reads as idle.  Raise --baseline to see longer ones. */
static void test_longest_dip(void)
{
	size_t n = 1000;
	uint64_t *v = flat(n, F);
	struct series s;
	struct dip_result r;

	for (size_t i = 100; i < 130; i++)
		v[i] = 0;                      /* 30 windows: found */
	for (size_t i = 500; i < 531; i++)
		v[i] = 0;                      /* 31 windows: idle */
	make_series(&s, v, n);
	dips_find(&s, NULL, &r);
	g_assert_cmpuint(r.episodes->len, ==, 1);
	g_assert_cmpuint(dip_episode_at(&r, 0)->first, ==, 100);
	g_assert_cmpuint(dip_episode_at(&r, 0)->n_windows, ==, 30);
	g_assert_cmpuint(state_at(&r, 515), ==, DIP_STATE_IDLE);

	struct dip_params p;
	dip_params_default(&p);
	p.baseline_ns = 5000 * MS;
	dip_result_free(&r);
	dips_find(&s, &p, &r);
	g_assert_cmpuint(r.episodes->len, ==, 2);
	g_assert_cmpuint(dip_episode_at(&r, 1)->n_windows, ==, 31);

	dip_result_free(&r);
	series_free(&s);
	g_free(v);
}

/* The sliding median itself, h = 2: before the start counts as empty, past
 * the end the last window's value goes on. */
static void test_baseline_values(void)
{
	uint64_t v[] = { 10 * F, 20 * F, 30 * F, 40 * F, 50 * F };
	uint64_t want[] = { 10 * F, 20 * F, 30 * F, 40 * F, 50 * F };
	struct dip_params p;
	struct series s;
	struct dip_result r;

	dip_params_default(&p);
	p.baseline_ns = 200 * MS;
	make_series(&s, v, 5);
	dips_find(&s, &p, &r);
	g_assert_cmpuint(r.half_span, ==, 2);
	for (size_t i = 0; i < 5; i++)
		g_assert_cmpuint(baseline_at(&r, i), ==, want[i]);
	g_assert_cmpuint(r.busy_median, ==, 30 * F);
	g_assert_cmpuint(r.episodes->len, ==, 0);
	dip_result_free(&r);

	/* baseline shorter than a window still means one window each side */
	p.baseline_ns = 10 * MS;
	dips_find(&s, &p, &r);
	g_assert_cmpuint(r.half_span, ==, 1);
	g_assert_cmpuint(baseline_at(&r, 0), ==, 10 * F);
	g_assert_cmpuint(baseline_at(&r, 2), ==, 30 * F);
	g_assert_cmpuint(baseline_at(&r, 4), ==, 50 * F); /* 40, 50, 50 (the last one goes on) */
	dip_result_free(&r);
	series_free(&s);
}

/* A higher minimum rate makes slow traffic idle. */
static void test_min_rate(void)
{
	size_t n = 200;
	uint64_t *v = flat(n, F);
	struct dip_params p;
	struct series s;
	struct dip_result r;

	v[100] = 0;
	make_series(&s, v, n);
	dip_params_default(&p);
	p.min_bps = 10e6; /* 125000 B per window > F */
	dips_find(&s, &p, &r);
	g_assert_cmpuint(r.busy_median, ==, 0);
	g_assert_cmpuint(r.idle_floor, ==, 125000);
	g_assert_cmpuint(r.busy_windows, ==, 0);
	g_assert_cmpuint(r.episodes->len, ==, 0);
	dip_result_free(&r);

	p.min_bps = 8e6; /* exactly F: busy */
	dips_find(&s, &p, &r);
	g_assert_cmpuint(r.episodes->len, ==, 1);
	dip_result_free(&r);
	series_free(&s);
	g_free(v);
}

static void test_empty_and_one(void)
{
	struct series s;
	struct dip_result r;
	uint64_t one = F;

	series_init(&s, T0, 100 * MS);
	dips_find(&s, NULL, &r);
	g_assert_cmpuint(r.n_windows, ==, 0);
	g_assert_cmpuint(r.episodes->len, ==, 0);
	g_assert_cmpuint(r.busy_windows, ==, 0);
	dip_result_free(&r);
	series_free(&s);

	make_series(&s, &one, 1);
	dips_find(&s, NULL, &r);
	g_assert_cmpuint(r.n_windows, ==, 1);
	g_assert_cmpuint(r.episodes->len, ==, 0);
	/* 30 empty windows before it, its own level after: the median is its own */
	g_assert_cmpuint(baseline_at(&r, 0), ==, F);
	g_assert_cmpuint(state_at(&r, 0), ==, DIP_STATE_BUSY);
	g_assert_cmpuint(r.total_bytes, ==, F);
	dip_result_free(&r);
	series_free(&s);
}

/* 10^6 windows (27.8 h at 100 ms) with varied values and a dip every
 * 1000 windows: must finish in well under a second (O(n log n)). */
static void test_million_windows(void)
{
	size_t n = 1000000;
	struct series s;
	struct dip_result r;

	series_init(&s, T0, 100 * MS);
	g_array_set_size(s.bytes, (guint)n);
	g_array_set_size(s.packets, (guint)n);
	for (size_t i = 0; i < n; i++) {
		uint64_t b = F + (i * 7919) % 1000;
		if (i % 1000 == 500 || i % 1000 == 501)
			b = 0;
		g_array_index(s.bytes, guint64, i) = b;
		g_array_index(s.packets, guint64, i) = 1;
	}
	dips_find(&s, NULL, &r);
	g_assert_cmpuint(r.episodes->len, ==, 1000);
	for (guint e = 0; e < r.episodes->len; e++) {
		g_assert_cmpuint(dip_episode_at(&r, e)->first, ==, e * 1000 + 500);
		g_assert_cmpuint(dip_episode_at(&r, e)->n_windows, ==, 2);
	}
	dip_result_free(&r);
	series_free(&s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dips/defaults", test_defaults);
	g_test_add_func("/dips/flat-with-dips", test_flat_with_dips);
	g_test_add_func("/dips/merge", test_merge);
	g_test_add_func("/dips/idle-is-not-a-dip", test_idle_is_not_a_dip);
	g_test_add_func("/dips/ramp-up", test_ramp_up);
	g_test_add_func("/dips/level-change", test_level_change);
	g_test_add_func("/dips/longest-dip", test_longest_dip);
	g_test_add_func("/dips/baseline-values", test_baseline_values);
	g_test_add_func("/dips/min-rate", test_min_rate);
	g_test_add_func("/dips/empty-and-one", test_empty_and_one);
	g_test_add_func("/dips/million-windows", test_million_windows);
	return g_test_run();
}
