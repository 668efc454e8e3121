/* Dips: stretches of windows whose throughput falls well below the local
 * baseline.  Pure computation over a struct series; deterministic.
 *
 * Baseline of window i = median of the windows i-h .. i+h (h = baseline_ns /
 * window_ns), where windows outside the capture count as empty: the capture
 * saw nothing there.  A centred median follows level changes without lag
 * (a transfer that starts, stops or changes rate is not a dip), follows
 * TCP's ramp-up after an idle period or at the capture start, and ignores
 * any drop shorter than h windows, which is exactly what a dip is. */
#ifndef ESPREKEY_DIPS_H
#define ESPREKEY_DIPS_H

#include <glib.h>
#include <stdint.h>

#include "analyzer/series.h"

#define DIP_DEFAULT_BASELINE_NS  (3ULL * 1000 * 1000 * 1000) /* each side */
#define DIP_DEFAULT_THRESHOLD    0.3      /* dip: < 70 % of the baseline */
#define DIP_DEFAULT_IDLE_FRACTION 0.05    /* of the busy median */
#define DIP_DEFAULT_MIN_BPS      100e3    /* 100 kbit/s */
#define DIP_DEFAULT_MAX_GAP_NS   (200ULL * 1000 * 1000)

struct dip_params {
	uint64_t baseline_ns;  /* median span on EACH side of a window (--baseline) */
	double threshold;      /* dip window: bytes < (1 - threshold) * baseline (--dip-threshold) */
	double idle_fraction;  /* idle: baseline < idle_fraction * busy median ... */
	double min_bps;        /* ... or baseline below this rate; also what "busy" means */
	uint64_t max_gap_ns;   /* dip windows this close (non-dip time between) form one episode */
	uint64_t end_ns;       /* the capture's end: windows not wholly before it are left out; 0 = none */
};

void dip_params_default(struct dip_params *p);

enum dip_state {
	DIP_STATE_IDLE = 0, /* baseline under the idle floor: no dip possible here */
	DIP_STATE_BUSY = 1, /* near its baseline */
	DIP_STATE_LOW = 2,  /* a dip window */
};

struct dip_episode {
	size_t first;          /* first window (a dip window) */
	size_t n_windows;      /* first .. last dip window, merged gaps included */
	uint64_t start_ns;     /* absolute start of the first window */
	uint64_t duration_ns;  /* n_windows * window */
	double baseline_bps;   /* mean baseline over the episode */
	double mean_bps;       /* mean throughput over the episode */
	double min_bps;        /* lowest window */
	double depth;          /* 1 - mean / baseline: 0.6 = throughput down 60 % */
	double max_depth;      /* 1 - (window / its baseline), deepest window */
	uint64_t bytes;        /* transferred during the episode */
	uint64_t lost_bytes;   /* sum(baseline - actual) over the episode, >= 0 */
};

struct dip_result {
	uint64_t t0_ns, window_ns;
	size_t n_windows;
	GArray *episodes;      /* struct dip_episode, by start */
	GArray *baseline;      /* guint64 bytes per window, per window */
	GArray *state;         /* guint8 enum dip_state, per window */
	size_t half_span;      /* h, in windows */
	uint64_t busy_median;  /* bytes/window: median of windows >= min_bps (0: none) */
	uint64_t idle_floor;   /* bytes/window: baseline under this = idle */
	size_t busy_windows;   /* windows not idle (BUSY or LOW) */
	uint64_t total_bytes;  /* whole series */
	uint64_t busy_bytes;   /* in windows not idle */
	uint64_t lost_bytes;   /* sum over episodes */
};

/* O(n log n) in the number of windows (a Fenwick tree over ranks keeps the
 * sliding median), O(n) memory.  p NULL = defaults.  Free with
 * dip_result_free. */
void dips_find(const struct series *s, const struct dip_params *p, struct dip_result *out);
void dip_result_free(struct dip_result *r);

static inline const struct dip_episode *dip_episode_at(const struct dip_result *r, size_t i)
{
	return &g_array_index(r->episodes, struct dip_episode, i);
}

#endif
