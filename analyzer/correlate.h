/* Rekey <-> dip correlation: which rekey is followed by a dip, which dips have
 * no rekey near them, what the rekey-linked dips cost, whether rekeys are
 * followed by dips more often than arbitrary moments are, and what a longer
 * SA byte lifetime would gain.  Pure computation; deterministic (the random
 * times come from a seeded splitmix64). */
#ifndef ESPREKEY_CORRELATE_H
#define ESPREKEY_CORRELATE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/dips.h"

#define CORR_MAX_DIRS     2
#define CORR_MAX_FACTORS  8
/* A dip is linked to a rekey when the dip starts within
 * [anchor - before, anchor + after].  `before` absorbs the window
 * quantization (a dip's start is its window's start, up to one window
 * before the rekey inside that window) plus one window of slack; `after`
 * covers the exchange itself (a few round trips and a DH), the switch to
 * the new SA, and TCP noticing the loss (RTO >= 200-300 ms, a few RTTs of
 * recovery) with margin, while staying short enough that a 5 s rekey
 * cadence (250 MB at 400 Mbit/s) does not link one dip to two rekeys. */
#define CORR_DEFAULT_BEFORE_NS (200ULL * 1000 * 1000)
#define CORR_DEFAULT_AFTER_NS  (1000ULL * 1000 * 1000)  /* --corr-window */
#define CORR_DEFAULT_DRAWS     1000
#define CORR_DEFAULT_SEED      0x657370726b6579ULL      /* "esprkey" */

struct rekey_time {
	uint64_t start_ns;      /* first message of the exchange (Quick Mode 1 / CREATE_CHILD_SA req) */
	uint64_t first_use_ns;  /* first ESP packet on the new SA; 0 = unknown */
};

struct corr_params {
	uint64_t before_ns;     /* raised to one window if shorter */
	uint64_t after_ns;
	bool anchor_first_use;  /* anchor on first_use_ns when known (default: start_ns) */
	unsigned n_draws;       /* random times for the comparison */
	uint64_t seed;
	uint64_t lifetime_kb;   /* the SA byte lifetime now in use, e.g. 250000; 0 = unknown */
	uint64_t lifetime_s;    /* the SA time lifetime, e.g. 3600; 0 = don't cap the what-if */
	size_t n_factors;
	double factors[CORR_MAX_FACTORS]; /* lifetime multipliers for the what-if */
};

/* before/after/draws/seed as above, lifetimes 0, factors {2, 10, 100}. */
void corr_params_default(struct corr_params *p);

struct corr_rekey {
	uint64_t anchor_ns;              /* start_ns, or first_use_ns with anchor_first_use */
	bool busy;                       /* anchor lies in a busy window of some direction */
	bool hit;                        /* some direction has a dip starting in its window */
	gint64 dip[CORR_MAX_DIRS];       /* first such episode per direction, -1 = none */
	gint64 delay_ns[CORR_MAX_DIRS];  /* that episode's start - anchor (< 0: began before) */
	size_t n_dips;                   /* episodes starting in its window, all directions */
	uint64_t lost_bytes;             /* their lost bytes (a neighbour rekey may share one) */
};

struct corr_whatif {
	double factor;          /* new lifetime = factor * current */
	uint64_t lifetime_kb;   /* factor * lifetime_kb (0 if the current one is unknown) */
	double rekeys;          /* expected rekeys in the busy time (now: busy_rekeys) */
	uint64_t lost_bytes;    /* expected rekey-linked loss */
	double gain;            /* expected throughput gain: 0.12 = 12 % more */
	bool time_limited;      /* lifetime_s, not bytes, would then set the rekey count */
};

struct corr_result {
	size_t n_dirs;
	GArray *rekeys;                        /* struct corr_rekey, one per input rekey, same order */
	GArray *episode_rekey[CORR_MAX_DIRS];  /* gint64 per episode: first rekey (input index)
						  whose window holds its start; -1 = unlinked */
	size_t dips[CORR_MAX_DIRS];            /* episodes per direction */
	size_t linked_dips[CORR_MAX_DIRS];
	uint64_t transferred_bytes[CORR_MAX_DIRS];
	uint64_t linked_lost_bytes[CORR_MAX_DIRS];
	uint64_t unlinked_lost_bytes[CORR_MAX_DIRS];
	double loss_share[CORR_MAX_DIRS];      /* linked lost / (transferred + linked lost) */
	uint64_t transferred_total, linked_lost_total, unlinked_lost_total;
	double loss_share_total;

	/* Rekeys against random busy moments. */
	size_t busy_rekeys;      /* rekeys with busy == true: the ones that could dip */
	size_t hit_rekeys;       /* of those, followed by a dip */
	double rekey_rate;       /* hit_rekeys / busy_rekeys */
	unsigned draws;          /* random times drawn (0 when nothing is busy) */
	unsigned random_hits;
	double random_rate;      /* random_hits / draws */
	double lift;             /* rekey_rate / random_rate */
	bool lift_is_lower_bound;/* no random time hit; random_rate taken as 1/draws */
	double p_value;          /* P(>= hit_rekeys of busy_rekeys random moments hit), binomial
				    with the random rate (Laplace-smoothed: (hits+1)/(draws+2)) */
	double busy_seconds;     /* time busy in some direction */

	size_t n_whatif;
	struct corr_whatif whatif[CORR_MAX_FACTORS];
};

/* dirs: n_dirs (1..CORR_MAX_DIRS) dip results over the same t0 and window
 * (e.g. up and down of one tunnel).  rekeys in any order.  p NULL =
 * defaults.  Returns false (out untouched) if the directions disagree on
 * t0/window or n_dirs is out of range.  Free with corr_result_free. */
bool correlate(const struct dip_result *const *dirs, size_t n_dirs,
	       const struct rekey_time *rekeys, size_t n_rekeys,
	       const struct corr_params *p, struct corr_result *out);
void corr_result_free(struct corr_result *r);

/* The what-if arithmetic alone: with `rekeys` rekeys now costing `lost`
 * bytes out of `transferred`, and busy_seconds of busy time, multiply the
 * byte lifetime by `factor`. */
struct corr_whatif corr_whatif_for(double factor, uint64_t lifetime_kb, uint64_t lifetime_s,
				   double rekeys, uint64_t lost, uint64_t transferred,
				   double busy_seconds);

/* P(X >= hits), X ~ Binomial(trials, p). */
double corr_binomial_tail(size_t trials, size_t hits, double p);

#endif
