/* Throughput series; see series.h. */
#include "analyzer/series.h"

void series_init(struct series *s, uint64_t t0_ns, uint64_t window_ns)
{
	s->t0_ns = t0_ns;
	s->window_ns = window_ns ? window_ns : SERIES_DEFAULT_WINDOW_NS;
	/* clear_ = TRUE: g_array_set_size zero-fills the windows it adds. */
	s->bytes = g_array_sized_new(FALSE, TRUE, sizeof(guint64), 1024);
	s->packets = g_array_sized_new(FALSE, TRUE, sizeof(guint64), 1024);
	s->max_windows = SERIES_DEFAULT_MAX_WINDOWS;
	s->dropped_packets = 0;
	s->dropped_bytes = 0;
}

void series_free(struct series *s)
{
	if (s->bytes)
		g_array_free(s->bytes, TRUE);
	if (s->packets)
		g_array_free(s->packets, TRUE);
	s->bytes = NULL;
	s->packets = NULL;
}

size_t series_index_of(const struct series *s, uint64_t ts_ns)
{
	if (ts_ns <= s->t0_ns)
		return 0;
	return (size_t)((ts_ns - s->t0_ns) / s->window_ns);
}

/* GArray doubles its allocation when it grows, so growing one window at a
 * time as time advances stays amortized O(1) per packet. */
static void grow_to(struct series *s, size_t len)
{
	if (len > s->bytes->len) {
		g_array_set_size(s->bytes, (guint)len);
		g_array_set_size(s->packets, (guint)len);
	}
}

bool series_add(struct series *s, uint64_t ts_ns, uint64_t bytes)
{
	size_t i = series_index_of(s, ts_ns);

	if (i >= s->max_windows || i >= G_MAXUINT) {
		s->dropped_packets++;
		s->dropped_bytes += bytes;
		return false;
	}
	grow_to(s, i + 1);
	g_array_index(s->bytes, guint64, i) += bytes;
	g_array_index(s->packets, guint64, i) += 1;
	return true;
}

void series_extend_to(struct series *s, uint64_t ts_ns)
{
	size_t i = series_index_of(s, ts_ns);

	if (i < s->max_windows && i < G_MAXUINT)
		grow_to(s, i + 1);
}

size_t series_len(const struct series *s)
{
	return s->bytes ? s->bytes->len : 0;
}

uint64_t series_bytes_at(const struct series *s, size_t i)
{
	return i < series_len(s) ? g_array_index(s->bytes, guint64, i) : 0;
}

uint64_t series_packets_at(const struct series *s, size_t i)
{
	return i < series_len(s) ? g_array_index(s->packets, guint64, i) : 0;
}

uint64_t series_window_start_ns(const struct series *s, size_t i)
{
	return s->t0_ns + (uint64_t)i * s->window_ns;
}

uint64_t series_total_bytes(const struct series *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < series_len(s); i++)
		sum += g_array_index(s->bytes, guint64, i);
	return sum;
}

uint64_t series_total_packets(const struct series *s)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < series_len(s); i++)
		sum += g_array_index(s->packets, guint64, i);
	return sum;
}

double series_bytes_to_bps(const struct series *s, double bytes_per_window)
{
	return bytes_per_window * 8.0 * 1e9 / (double)s->window_ns;
}

double series_bps_at(const struct series *s, size_t i)
{
	return series_bytes_to_bps(s, (double)series_bytes_at(s, i));
}
