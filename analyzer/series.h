/* Throughput series: bytes and packets of one direction, counted in fixed
 * time windows from the capture start.  Memory grows with the capture's
 * duration (one slot per window), never with its packet count. */
#ifndef ESPREKEY_SERIES_H
#define ESPREKEY_SERIES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIES_DEFAULT_WINDOW_NS  (100ULL * 1000 * 1000)     /* 100 ms */
/* A guard against a corrupt far-future timestamp allocating gigabytes:
 * 2^24 windows = 19.4 days at 100 ms, 256 MiB of counters. */
#define SERIES_DEFAULT_MAX_WINDOWS (1ULL << 24)

struct series {
	uint64_t t0_ns;          /* start of window 0 (the capture start) */
	uint64_t window_ns;      /* window length, > 0 */
	GArray *bytes;           /* guint64 per window */
	GArray *packets;         /* guint64 per window; same length as bytes */
	uint64_t max_windows;    /* series_add drops packets beyond this window */
	uint64_t dropped_packets;/* ... and counts them here */
	uint64_t dropped_bytes;
};

/* window_ns 0 means SERIES_DEFAULT_WINDOW_NS. */
void series_init(struct series *s, uint64_t t0_ns, uint64_t window_ns);
/* Frees the arrays (not s itself); s may then be series_init'ed again. */
void series_free(struct series *s);

/* Counts one packet of `bytes` at ts_ns, amortized O(1).  Packets before t0
 * go to window 0.  Returns false (and counts it as dropped) only when the
 * packet lies beyond max_windows. */
bool series_add(struct series *s, uint64_t ts_ns, uint64_t bytes);
/* Grows the series with empty windows so that it covers ts_ns (e.g. the
 * capture end), so both directions of a tunnel end up the same length. */
void series_extend_to(struct series *s, uint64_t ts_ns);

size_t series_len(const struct series *s);
uint64_t series_bytes_at(const struct series *s, size_t i);   /* 0 beyond the end */
uint64_t series_packets_at(const struct series *s, size_t i); /* 0 beyond the end */
uint64_t series_window_start_ns(const struct series *s, size_t i);
/* Index of the window holding ts_ns (0 for ts before t0); may be >= len. */
size_t series_index_of(const struct series *s, uint64_t ts_ns);
uint64_t series_total_bytes(const struct series *s);
uint64_t series_total_packets(const struct series *s);

/* Bits per second: a window's byte count, or any byte count per window. */
double series_bps_at(const struct series *s, size_t i);
double series_bytes_to_bps(const struct series *s, double bytes_per_window);

#endif
