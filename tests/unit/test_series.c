/* series: windows, growth, packets before t0, totals, rates. */
#include <glib.h>

#include "analyzer/series.h"

#define MS (1000ULL * 1000)
#define T0 1795548976000000000ULL /* an epoch in ns, as captures have */

static void test_defaults_and_windows(void)
{
	struct series s;

	series_init(&s, T0, 0);
	g_assert_cmpuint(s.window_ns, ==, 100 * MS);
	g_assert_cmpuint(series_len(&s), ==, 0);
	g_assert_cmpuint(series_bytes_at(&s, 0), ==, 0);

	g_assert_true(series_add(&s, T0, 100));             /* window 0 */
	g_assert_true(series_add(&s, T0 + 99 * MS, 50));    /* still 0 */
	g_assert_true(series_add(&s, T0 + 100 * MS, 7));    /* window 1 */
	g_assert_true(series_add(&s, T0 + 1050 * MS, 1000));/* window 10 */
	g_assert_cmpuint(series_len(&s), ==, 11);
	g_assert_cmpuint(series_bytes_at(&s, 0), ==, 150);
	g_assert_cmpuint(series_packets_at(&s, 0), ==, 2);
	g_assert_cmpuint(series_bytes_at(&s, 1), ==, 7);
	for (size_t i = 2; i < 10; i++) {
		g_assert_cmpuint(series_bytes_at(&s, i), ==, 0);
		g_assert_cmpuint(series_packets_at(&s, i), ==, 0);
	}
	g_assert_cmpuint(series_bytes_at(&s, 10), ==, 1000);
	g_assert_cmpuint(series_bytes_at(&s, 11), ==, 0); /* beyond the end */
	g_assert_cmpuint(series_total_bytes(&s), ==, 1157);
	g_assert_cmpuint(series_total_packets(&s), ==, 4);
	g_assert_cmpuint(series_window_start_ns(&s, 10), ==, T0 + 1000 * MS);
	g_assert_cmpuint(series_index_of(&s, T0 + 1099 * MS), ==, 10);
	/* 1000 bytes in 100 ms = 80 kbit/s */
	g_assert_cmpfloat(series_bps_at(&s, 10), ==, 80000.0);
	g_assert_cmpfloat(series_bytes_to_bps(&s, 12500.0), ==, 1e6);
	series_free(&s);
	series_free(&s); /* idempotent */
}

static void test_before_t0_and_out_of_order(void)
{
	struct series s;

	series_init(&s, T0, 10 * MS);
	g_assert_true(series_add(&s, T0 - 5 * 1000 * MS, 11)); /* before t0: window 0 */
	g_assert_true(series_add(&s, 0, 1));
	g_assert_true(series_add(&s, T0 + 25 * MS, 3));        /* window 2 */
	g_assert_true(series_add(&s, T0 + 5 * MS, 4));         /* late packet: window 0 */
	g_assert_cmpuint(series_len(&s), ==, 3);
	g_assert_cmpuint(series_bytes_at(&s, 0), ==, 16);
	g_assert_cmpuint(series_packets_at(&s, 0), ==, 3);
	g_assert_cmpuint(series_bytes_at(&s, 2), ==, 3);
	series_free(&s);
}

static void test_extend_and_limit(void)
{
	struct series s;

	series_init(&s, T0, 100 * MS);
	series_extend_to(&s, T0 + 2500 * MS); /* capture end: windows 0..25 */
	g_assert_cmpuint(series_len(&s), ==, 26);
	g_assert_cmpuint(series_total_bytes(&s), ==, 0);
	series_extend_to(&s, T0); /* never shrinks */
	g_assert_cmpuint(series_len(&s), ==, 26);

	s.max_windows = 100;
	g_assert_true(series_add(&s, T0 + 9999 * MS, 5));      /* window 99 */
	g_assert_false(series_add(&s, T0 + 10000 * MS, 6));    /* window 100: dropped */
	g_assert_false(series_add(&s, UINT64_MAX, 7));         /* corrupt stamp */
	g_assert_cmpuint(series_len(&s), ==, 100);
	g_assert_cmpuint(s.dropped_packets, ==, 2);
	g_assert_cmpuint(s.dropped_bytes, ==, 13);
	series_free(&s);
}

/* Memory follows duration / window, not packets: a million packets in one
 * second make ten windows. */
static void test_memory_follows_time(void)
{
	struct series s;

	series_init(&s, T0, 100 * MS);
	for (uint64_t i = 0; i < 1000000; i++)
		series_add(&s, T0 + i * 1000, 1500); /* every microsecond */
	g_assert_cmpuint(series_len(&s), ==, 10);
	g_assert_cmpuint(series_packets_at(&s, 3), ==, 100000);
	g_assert_cmpuint(series_total_bytes(&s), ==, 1500000000ULL);
	series_free(&s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/series/defaults-and-windows", test_defaults_and_windows);
	g_test_add_func("/series/before-t0-and-out-of-order", test_before_t0_and_out_of_order);
	g_test_add_func("/series/extend-and-limit", test_extend_and_limit);
	g_test_add_func("/series/memory-follows-time", test_memory_follows_time);
	return g_test_run();
}
