/* IP fragment reassembly through dissect_frame and frag_insert. */
#include <glib.h>

#include "dissect/frag.h"
#include "dissect/frame.h"
#include "test_dissect_util.h"

#define SEC 1000000000ull

/* The datagram: UDP 4500->4500 carrying ESP SPI 0x11223344 seq 9, n bytes in all. */
static uint8_t dgram[65600];

static void make_dgram(size_t n)
{
	for (size_t i = 0; i < n; i++)
		dgram[i] = (uint8_t)(i * 7);
	dgram[0] = 0x11; dgram[1] = 0x94; dgram[2] = 0x11; dgram[3] = 0x94;
	dgram[4] = (uint8_t)(n >> 8); dgram[5] = (uint8_t)n; dgram[6] = dgram[7] = 0;
	memcpy(dgram + 8, "\x11\x22\x33\x44\x00\x00\x00\x09", 8);
}

/* An IPv4 fragment [off, off+len) of dgram, raw (DLT_RAW). */
static void frag4(struct pkt *p, uint16_t id, uint32_t off, uint32_t len, bool mf)
{
	p->n = 0;
	size_t ip = put_ip4(p, 17, IP4(198, 51, 100, 7), IP4(192, 0, 2, 9));
	patch16(p, ip + 4, id);
	patch16(p, ip + 6, (uint16_t)((mf ? 0x2000 : 0) | off / 8));
	putn(p, dgram + off, len);
	ip4_end(p, ip);
}

static void feed(struct frag_table *ft, uint64_t ts, const struct pkt *p, uint32_t caplen,
		 struct frame *f)
{
	dissect_frame(ft, 12, ts, p->b, caplen ? caplen : (uint32_t)p->n, (uint32_t)p->n, f);
}

static void check_complete(const struct frame *f, size_t n, uint16_t count)
{
	g_assert_cmpint(f->kind, ==, FK_ESP);
	g_assert_cmpint(f->anomaly, ==, AN_NONE);
	g_assert_true(f->reassembled);
	g_assert_cmphex(f->spi, ==, 0x11223344);
	g_assert_cmpuint(f->seq, ==, 9);
	g_assert_cmpuint(f->udp_len, ==, n);
	g_assert_cmpuint(f->esp_len, ==, n - 8);
	g_assert_cmpuint(f->ip_len, ==, 20 + n);
	g_assert_cmpuint(f->frag_count, ==, count);
	g_assert_cmpuint(f->frag_ip_bytes, ==, n + 20u * count);
	g_assert_cmpint(memcmp(f->esp, dgram + 8, f->esp_caplen), ==, 0);
}

static void test_in_order(void)
{
	struct frag_table *ft = frag_table_new();
	struct pkt p;
	struct frame f;

	make_dgram(3000);
	frag4(&p, 1, 0, 1480, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	g_assert_cmpuint(f.ip_len, ==, 1500);
	g_assert_cmpuint(f.ip_proto, ==, 17);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 1);
	frag4(&p, 1, 1480, 1480, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	frag4(&p, 1, 2960, 40, false);
	feed(ft, 1 * SEC, &p, 0, &f);
	check_complete(&f, 3000, 3);
	g_assert_cmpuint(f.esp_caplen, ==, 2992);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 0);
	g_assert_cmpuint(frag_table_stats(ft)->reassembled, ==, 1);
	g_assert_cmpuint(frag_table_stats(ft)->fragments, ==, 3);

	/* without a table, fragments are just other IP */
	dissect_frame(NULL, 12, 0, p.b, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_IP_OTHER);
	frag_table_free(ft);
}

static void test_out_of_order(void)
{
	struct frag_table *ft = frag_table_new();
	struct pkt p;
	struct frame f;

	make_dgram(3000);
	/* last, middle, first; interleaved with another datagram (id 2) */
	frag4(&p, 1, 2960, 40, false);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	frag4(&p, 2, 0, 1480, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	frag4(&p, 1, 1480, 1480, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 2);
	frag4(&p, 1, 0, 1480, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	check_complete(&f, 3000, 3);
	frag4(&p, 2, 1480, 1520, false);
	feed(ft, 1 * SEC, &p, 0, &f);
	check_complete(&f, 3000, 2);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 0);
	frag_table_free(ft);
}

static void test_overlap_and_duplicate(void)
{
	struct frag_table *ft = frag_table_new();
	struct pkt p;
	struct frame f;

	make_dgram(3000);
	frag4(&p, 1, 0, 1480, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	/* an exact repeat is ignored */
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	g_assert_cmpuint(frag_table_stats(ft)->duplicates, ==, 1);
	/* an overlapping one drops the datagram */
	frag4(&p, 1, 1472, 1480, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_ANOMALY);
	g_assert_cmpint(f.anomaly, ==, AN_IP_FRAG_DROPPED);
	g_assert_cmpuint(frag_table_stats(ft)->dropped_overlap, ==, 1);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 0);

	/* same range but different bytes: an overlap too */
	frag4(&p, 3, 0, 1480, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	p.b[100] ^= 1;
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.anomaly, ==, AN_IP_FRAG_DROPPED);

	/* a second "last" fragment with another end */
	frag4(&p, 4, 2960, 40, false);
	feed(ft, 1 * SEC, &p, 0, &f);
	frag4(&p, 4, 1480, 800, false);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.anomaly, ==, AN_IP_FRAG_DROPPED);

	/* a middle fragment past the known end */
	frag4(&p, 5, 1480, 40, false);
	feed(ft, 1 * SEC, &p, 0, &f);
	frag4(&p, 5, 1520, 1480, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.anomaly, ==, AN_IP_FRAG_DROPPED);
	g_assert_cmpuint(frag_table_stats(ft)->dropped_overflow, ==, 1);

	/* a non-last fragment whose length is not a multiple of 8 */
	frag4(&p, 6, 0, 1481, true);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.anomaly, ==, AN_IP_FRAG_DROPPED);

	/* past 64 KiB */
	frag4(&p, 7, 65528, 40, false);
	feed(ft, 1 * SEC, &p, 0, &f);
	g_assert_cmpint(f.anomaly, ==, AN_IP_FRAG_DROPPED);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 0);
	frag_table_free(ft);
}

static void test_timeout(void)
{
	struct frag_table *ft = frag_table_new();
	struct pkt p;
	struct frame f;

	make_dgram(3000);
	frag4(&p, 1, 0, 1480, true);
	feed(ft, 100 * SEC, &p, 0, &f);
	frag4(&p, 1, 1480, 1480, true);
	feed(ft, 129 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	/* 31 s after the first: the old datagram is gone; this starts a new one */
	frag4(&p, 1, 2960, 40, false);
	feed(ft, 131 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	g_assert_cmpuint(frag_table_stats(ft)->dropped_timeout, ==, 1);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 1);
	/* time stepping backwards does not expire anything */
	frag4(&p, 9, 0, 1480, true);
	feed(ft, 5 * SEC, &p, 0, &f);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 2);
	/* at the end of the capture, what is left is counted */
	frag_table_expire(ft, UINT64_MAX);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 0);
	g_assert_cmpuint(frag_table_stats(ft)->dropped_timeout, ==, 3);
	frag_table_free(ft);
}

static void test_eviction_flat_memory(void)
{
	struct frag_table *ft = frag_table_new();
	struct pkt p;
	struct frame f;

	make_dgram(3000);
	/* 10000 first fragments of distinct datagrams, never completed */
	for (unsigned i = 0; i < 10000; i++) {
		frag4(&p, (uint16_t)i, 0, 1480, true);
		feed(ft, SEC + i, &p, 0, &f);
		g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	}
	g_assert_cmpuint(frag_table_in_use(ft), ==, FRAG_SLOTS);
	g_assert_cmpuint(frag_table_stats(ft)->dropped_evicted, ==, 10000 - FRAG_SLOTS);
	/* the newest still completes */
	frag4(&p, 9999, 1480, 1520, false);
	feed(ft, 2 * SEC, &p, 0, &f);
	check_complete(&f, 3000, 2);
	/* the evicted oldest does not: its second half starts a new datagram */
	frag4(&p, 0, 1480, 1520, false);
	feed(ft, 2 * SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_FRAGMENT_HELD);
	frag_table_free(ft);
}

static void test_snaplen(void)
{
	struct frag_table *ft = frag_table_new();
	struct pkt p;
	struct frame f;

	/* fragments cut to 96 bytes: still reassembled, lengths from the headers */
	make_dgram(3000);
	frag4(&p, 1, 0, 1480, true);
	feed(ft, SEC, &p, 96, &f);
	frag4(&p, 1, 1480, 1480, true);
	feed(ft, SEC, &p, 96, &f);
	frag4(&p, 1, 2960, 40, false);
	feed(ft, SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_ESP);
	g_assert_cmpuint(f.udp_len, ==, 3000);
	g_assert_cmpuint(f.esp_len, ==, 2992);
	/* captured prefix: 76 bytes, rounded down to whole 8-byte blocks */
	g_assert_cmpuint(f.esp_caplen, ==, 72 - 8);
	g_assert_cmpuint(f.frag_ip_bytes, ==, 3060);
	frag_table_free(ft);
}

static void test_ipv6(void)
{
	struct frag_table *ft = frag_table_new();
	struct pkt p;
	struct frame f;

	make_dgram(2000);
	/* IPv6 fragment headers, a destination-options header after the first */
	uint8_t body[2008];
	body[0] = 17; body[1] = 0; memset(body + 2, 0, 6); /* dst opts → UDP */
	memcpy(body + 8, dgram, 2000);
	uint32_t offs[2] = { 1232, 0 }, lens[2] = { 776, 1232 };
	for (int i = 0; i < 2; i++) {
		p.n = 0;
		size_t ip = put_ip6(&p, 44);
		put8(&p, 60); put8(&p, 0); put16(&p, (uint16_t)(offs[i] | (i == 1))); put32(&p, 77);
		putn(&p, body + offs[i], lens[i]);
		ip6_end(&p, ip);
		feed(ft, SEC, &p, 0, &f);
	}
	g_assert_cmpint(f.kind, ==, FK_ESP);
	g_assert_true(f.reassembled);
	g_assert_cmphex(f.spi, ==, 0x11223344);
	g_assert_cmpuint(f.esp_len, ==, 1992);
	g_assert_cmpuint(f.ip_proto, ==, 17);
	g_assert_cmpuint(f.ip_len, ==, 48 + 2008);
	g_assert_cmpuint(f.src.family, ==, 6);

	/* fragments of ICMP are not kept */
	p.n = 0;
	size_t ip = put_ip6(&p, 44);
	put8(&p, 58); put8(&p, 0); put16(&p, 1); put32(&p, 78);
	putz(&p, 64);
	ip6_end(&p, ip);
	feed(ft, SEC, &p, 0, &f);
	g_assert_cmpint(f.kind, ==, FK_IP_OTHER);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 0);
	frag_table_free(ft);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dissect/frag/in-order", test_in_order);
	g_test_add_func("/dissect/frag/out-of-order", test_out_of_order);
	g_test_add_func("/dissect/frag/overlap-duplicate", test_overlap_and_duplicate);
	g_test_add_func("/dissect/frag/timeout", test_timeout);
	g_test_add_func("/dissect/frag/eviction", test_eviction_flat_memory);
	g_test_add_func("/dissect/frag/snaplen", test_snaplen);
	g_test_add_func("/dissect/frag/ipv6", test_ipv6);
	return g_test_run();
}
