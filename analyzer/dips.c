/* Dip detection; see dips.h for the method. */
#include "analyzer/dips.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void dip_params_default(struct dip_params *p)
{
	p->baseline_ns = DIP_DEFAULT_BASELINE_NS;
	p->threshold = DIP_DEFAULT_THRESHOLD;
	p->idle_fraction = DIP_DEFAULT_IDLE_FRACTION;
	p->min_bps = DIP_DEFAULT_MIN_BPS;
	p->max_gap_ns = DIP_DEFAULT_MAX_GAP_NS;
	p->end_ns = 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sliding median over ranks: values are replaced by their rank among the
 * distinct values; a Fenwick tree counts how many of each rank are in the
 * span; the k-th smallest is found by binary lifting in O(log m).  Windows
 * outside the series are empty and only counted (all zeros rank lowest). */
struct fenwick {
	uint32_t *t; /* 1-based */
	size_t m;
	size_t top;  /* highest power of two <= m */
};

static void fw_add(struct fenwick *f, size_t rank, int32_t d)
{
	for (size_t i = rank + 1; i <= f->m; i += i & (~i + 1))
		f->t[i] += (uint32_t)d;
}

/* 0-based rank of the k-th smallest counted value, k >= 1. */
static size_t fw_kth(const struct fenwick *f, size_t k)
{
	size_t pos = 0;

	for (size_t step = f->top; step; step >>= 1) {
		if (pos + step <= f->m && f->t[pos + step] < k) {
			pos += step;
			k -= f->t[pos];
		}
	}
	return pos;
}

struct slider {
	struct fenwick fw;
	const uint32_t *rank;
	size_t n;
	size_t zeros; /* windows of the span before the series */
};

/* Before the capture counts as empty, so a transfer's ramp-up is no dip.
 * Past its end the last window's level goes on: a capture stopped in the
 * middle of a transfer keeps a baseline for its last seconds, and one that
 * outlasted its transfer stays idle there. */
static void slide(struct slider *sl, ptrdiff_t j, int32_t d)
{
	if (j < 0)
		sl->zeros += (size_t)(ptrdiff_t)d;
	else
		fw_add(&sl->fw, sl->rank[(size_t)j < sl->n ? (size_t)j : sl->n - 1], d);
}

static uint64_t busy_median_of(const uint64_t *sorted, size_t n, uint64_t min_bytes)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* first value >= min_bytes */
		size_t mid = lo + (hi - lo) / 2;
		if (sorted[mid] < min_bytes)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n)
		return 0;
	return sorted[lo + (n - lo - 1) / 2]; /* lower median */
}

static void compute_baseline(const uint64_t *v, size_t n, size_t h, uint64_t *sorted,
			     uint64_t *baseline)
{
	size_t m = 0;
	uint32_t *rank = g_new(uint32_t, n);
	struct slider sl = { .rank = rank, .n = n };

	/* distinct values: sorted is sorted already; compact a copy */
	uint64_t *uniq = g_new(uint64_t, n);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || sorted[i] != sorted[i - 1])
			uniq[m++] = sorted[i];
	for (size_t i = 0; i < n; i++) {
		uint64_t *p = bsearch(&v[i], uniq, m, sizeof *uniq, cmp_u64);
		rank[i] = (uint32_t)(p - uniq);
	}
	sl.fw.m = m;
	sl.fw.t = g_new0(uint32_t, m + 1);
	sl.fw.top = 1;
	while (sl.fw.top * 2 <= m)
		sl.fw.top *= 2;

	for (ptrdiff_t j = -(ptrdiff_t)h; j <= (ptrdiff_t)h; j++)
		slide(&sl, j, +1);
	for (size_t i = 0; i < n; i++) {
		size_t k = h + 1; /* the span always holds 2h+1 windows */
		baseline[i] = k <= sl.zeros ? 0 : uniq[fw_kth(&sl.fw, k - sl.zeros)];
		slide(&sl, (ptrdiff_t)i - (ptrdiff_t)h, -1);
		slide(&sl, (ptrdiff_t)(i + h + 1), +1);
	}
	g_free(sl.fw.t);
	g_free(uniq);
	g_free(rank);
}

static void close_episode(const uint64_t *v, const uint64_t *base, size_t first, size_t last,
			  const struct series *s, struct dip_result *out)
{
	struct dip_episode e = { .first = first, .n_windows = last - first + 1 };
	uint64_t sum_v = 0, sum_b = 0, min_v = UINT64_MAX;
	int64_t lost = 0;
	double max_depth = 0;

	for (size_t i = first; i <= last; i++) {
		sum_v += v[i];
		sum_b += base[i];
		lost += (int64_t)base[i] - (int64_t)v[i];
		if (v[i] < min_v)
			min_v = v[i];
		double d = 1.0 - (double)v[i] / (double)base[i];
		if (d > max_depth)
			max_depth = d;
	}
	e.start_ns = series_window_start_ns(s, first);
	e.duration_ns = (uint64_t)e.n_windows * s->window_ns;
	e.baseline_bps = series_bytes_to_bps(s, (double)sum_b / (double)e.n_windows);
	e.mean_bps = series_bytes_to_bps(s, (double)sum_v / (double)e.n_windows);
	e.min_bps = series_bytes_to_bps(s, (double)min_v);
	e.depth = 1.0 - (double)sum_v / (double)sum_b;
	e.max_depth = max_depth;
	e.bytes = sum_v;
	/* Windows merged in from a gap can lie above the baseline; the net
	 * shortfall is what the episode cost. */
	e.lost_bytes = lost > 0 ? (uint64_t)lost : 0;
	out->lost_bytes += e.lost_bytes;
	g_array_append_val(out->episodes, e);
}

void dips_find(const struct series *s, const struct dip_params *p, struct dip_result *out)
{
	struct dip_params def;
	size_t n = series_len(s);

	if (!p) {
		dip_params_default(&def);
		p = &def;
	}
	/* the window the capture ends in is only partly observed: a low count
	 * there is no dip */
	if (p->end_ns > s->t0_ns && n > (p->end_ns - s->t0_ns) / s->window_ns)
		n = (size_t)((p->end_ns - s->t0_ns) / s->window_ns);
	memset(out, 0, sizeof *out);
	out->t0_ns = s->t0_ns;
	out->window_ns = s->window_ns;
	out->n_windows = n;
	out->episodes = g_array_new(FALSE, FALSE, sizeof(struct dip_episode));
	out->baseline = g_array_sized_new(FALSE, TRUE, sizeof(guint64), (guint)n);
	out->state = g_array_sized_new(FALSE, TRUE, sizeof(guint8), (guint)n);
	g_array_set_size(out->baseline, (guint)n);
	g_array_set_size(out->state, (guint)n);
	out->half_span = p->baseline_ns / s->window_ns;
	if (out->half_span < 1)
		out->half_span = 1;
	if (n == 0)
		return;

	const uint64_t *v = (const uint64_t *)(void *)s->bytes->data;
	uint64_t *base = (uint64_t *)(void *)out->baseline->data;
	guint8 *state = (guint8 *)out->state->data;
	uint64_t *sorted = g_new(uint64_t, n);

	memcpy(sorted, v, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp_u64);
	compute_baseline(v, n, out->half_span, sorted, base);

	/* The idle floor: a rate can't dip if there is hardly any traffic. */
	double min_bytes_d = p->min_bps * (double)s->window_ns / 8e9;
	uint64_t min_bytes = min_bytes_d <= 0 ? 1 : (uint64_t)min_bytes_d;
	if ((double)min_bytes < min_bytes_d)
		min_bytes++; /* ceil */
	out->busy_median = busy_median_of(sorted, n, min_bytes);
	double frac_floor = p->idle_fraction * (double)out->busy_median;
	uint64_t floor = min_bytes;
	if (frac_floor > (double)floor) {
		floor = (uint64_t)frac_floor;
		if ((double)floor < frac_floor)
			floor++;
	}
	out->idle_floor = floor;
	g_free(sorted);

	size_t gap_max = (size_t)(p->max_gap_ns / s->window_ns);
	double keep = 1.0 - p->threshold;
	size_t ep_first = 0, ep_last = 0;
	bool in_ep = false;

	for (size_t i = 0; i < n; i++) {
		out->total_bytes += v[i];
		if (base[i] < floor) {
			state[i] = DIP_STATE_IDLE;
			if (in_ep) { /* an idle window ends an episode: no merging across it */
				close_episode(v, base, ep_first, ep_last, s, out);
				in_ep = false;
			}
			continue;
		}
		out->busy_windows++;
		out->busy_bytes += v[i];
		if ((double)v[i] >= keep * (double)base[i]) {
			state[i] = DIP_STATE_BUSY;
			continue;
		}
		state[i] = DIP_STATE_LOW;
		if (in_ep && i - ep_last - 1 <= gap_max) {
			ep_last = i;
		} else {
			if (in_ep)
				close_episode(v, base, ep_first, ep_last, s, out);
			ep_first = ep_last = i;
			in_ep = true;
		}
	}
	if (in_ep)
		close_episode(v, base, ep_first, ep_last, s, out);
}

void dip_result_free(struct dip_result *r)
{
	if (r->episodes)
		g_array_free(r->episodes, TRUE);
	if (r->baseline)
		g_array_free(r->baseline, TRUE);
	if (r->state)
		g_array_free(r->state, TRUE);
	r->episodes = r->baseline = r->state = NULL;
}
