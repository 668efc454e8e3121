/* IPv4, IPv6 (extension headers), UDP, ESP / NAT-T, and the frame walker. */
#include <glib.h>

#include "dissect/esp.h"
#include "dissect/frame.h"
#include "dissect/ip.h"
#include "dissect/udp.h"
#include "test_dissect_util.h"

static void frame_of(const struct pkt *p, uint32_t caplen, uint32_t wirelen, struct frame *f)
{
	dissect_frame(NULL, 12, 0, p->b, caplen, wirelen, f); /* DLT_RAW */
}

static void test_ipv4(void)
{
	struct pkt p = { .n = 0 };
	size_t ip = put_ip4(&p, 6, IP4(192, 0, 2, 1), IP4(198, 51, 100, 2));
	putz(&p, 20);
	ip4_end(&p, ip);

	struct ip_info ii;
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, false, &ii), ==, AN_NONE);
	g_assert_cmpuint(ii.version, ==, 4);
	g_assert_cmpuint(ii.src.family, ==, 4);
	g_assert_cmpuint(ii.src.b[0], ==, 192);
	g_assert_cmpuint(ii.dst.b[3], ==, 2);
	g_assert_cmpuint(ii.src.b[4], ==, 0);
	g_assert_cmpuint(ii.proto, ==, 6);
	g_assert_cmpuint(ii.total_len, ==, 40);
	g_assert_cmpuint(ii.hdr_len, ==, 20);
	g_assert_cmpuint(ii.payload_len, ==, 20);
	g_assert_cmpuint(ii.payload_caplen, ==, 20);
	g_assert_true(ii.payload == p.b + 20);
	g_assert_false(ii.is_fragment);

	/* cut by snaplen: payload_caplen shrinks, lengths from the header stay */
	g_assert_cmpint(ipv4_parse(p.b, 30, 40, false, &ii), ==, AN_NONE);
	g_assert_cmpuint(ii.payload_len, ==, 20);
	g_assert_cmpuint(ii.payload_caplen, ==, 10);
	/* header cut */
	g_assert_cmpint(ipv4_parse(p.b, 19, 40, false, &ii), ==, AN_IP_TRUNCATED);
	g_assert_cmpint(ipv4_parse(p.b, 19, 40, true, &ii), ==, AN_INNER_IP_TRUNCATED);
	/* frame shorter than the header */
	g_assert_cmpint(ipv4_parse(p.b, 19, 19, false, &ii), ==, AN_IP_MALFORMED);
	/* total length larger than the frame: a lie, not truncation */
	g_assert_cmpint(ipv4_parse(p.b, 30, 30, false, &ii), ==, AN_IP_MALFORMED);
	/* total length below the header length */
	patch16(&p, 2, 19);
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, false, &ii), ==, AN_IP_MALFORMED);
	patch16(&p, 2, 40);
	/* IHL 4 */
	p.b[0] = 0x44;
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, false, &ii), ==, AN_IP_MALFORMED);
	/* IHL 15 with only 40 bytes */
	p.b[0] = 0x4f;
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, false, &ii), ==, AN_IP_MALFORMED);
	/* IHL 6 (an option word), header cut in the option */
	p.b[0] = 0x46;
	g_assert_cmpint(ipv4_parse(p.b, 22, 40, false, &ii), ==, AN_IP_TRUNCATED);
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, false, &ii), ==, AN_NONE);
	g_assert_cmpuint(ii.hdr_len, ==, 24);
	g_assert_cmpuint(ii.payload_len, ==, 16);
	/* version 6 in the IPv4 parser */
	p.b[0] = 0x65;
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, false, &ii), ==, AN_IP_MALFORMED);
	g_assert_cmpint(ipv4_parse(p.b, 5, 40, false, &ii), ==, AN_IP_MALFORMED);
	p.b[0] = 0x45;

	/* fragment fields */
	patch16(&p, 6, 0x2000 | 185);
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, false, &ii), ==, AN_NONE);
	g_assert_true(ii.is_fragment);
	g_assert_true(ii.more_frags);
	g_assert_cmpuint(ii.frag_offset, ==, 1480);
	g_assert_cmpuint(ii.frag_id, ==, 0x1234);
	/* DF alone is not a fragment */
	patch16(&p, 6, 0x4000);
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, false, &ii), ==, AN_NONE);
	g_assert_false(ii.is_fragment);

	/* total length 0 (TSO capture): the frame length is taken, outer only */
	patch16(&p, 2, 0);
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, false, &ii), ==, AN_NONE);
	g_assert_cmpuint(ii.total_len, ==, 40);
	g_assert_cmpint(ipv4_parse(p.b, p.n, p.n, true, &ii), ==, AN_INNER_IP_MALFORMED);
	/* ... even past 64 KiB (BIG TCP) */
	g_assert_cmpint(ipv4_parse(p.b, p.n, 80102, false, &ii), ==, AN_NONE);
	g_assert_cmpuint(ii.total_len, ==, 80102);
	g_assert_cmpuint(ii.payload_len, ==, 80082);
}

static void test_ipv6_ext(void)
{
	struct pkt p = { .n = 0 };
	struct ip_info ii;

	/* hop-by-hop (8) → routing (24) → destination options (16) → UDP */
	size_t ip = put_ip6(&p, 0);
	put8(&p, 43); put8(&p, 0); putz(&p, 6);
	put8(&p, 60); put8(&p, 2); putz(&p, 22);
	put8(&p, 17); put8(&p, 1); putz(&p, 14);
	size_t u = put_udp(&p, 500, 500);
	putz(&p, 4);
	udp_end(&p, u);
	ip6_end(&p, ip);
	g_assert_cmpint(ipv6_parse(p.b, p.n, p.n, false, &ii), ==, AN_NONE);
	g_assert_cmpuint(ii.proto, ==, 17);
	g_assert_cmpuint(ii.hdr_len, ==, 40 + 8 + 24 + 16);
	g_assert_cmpuint(ii.total_len, ==, p.n);
	g_assert_cmpuint(ii.payload_len, ==, 12);
	g_assert_cmpuint(ii.src.family, ==, 6);
	g_assert_cmpuint(ii.src.b[0], ==, 0x20);
	g_assert_cmpuint(ii.dst.b[15], ==, 2);
	g_assert_false(ii.is_fragment);

	/* cut inside the routing header: truncated */
	g_assert_cmpint(ipv6_parse(p.b, 60, p.n, false, &ii), ==, AN_IP_TRUNCATED);
	/* an extension header running past the payload length: malformed */
	patch16(&p, 4, 30);
	g_assert_cmpint(ipv6_parse(p.b, p.n, p.n, false, &ii), ==, AN_IP_MALFORMED);
	ip6_end(&p, ip);
	/* payload length past the frame */
	g_assert_cmpint(ipv6_parse(p.b, p.n, p.n - 1, false, &ii), ==, AN_IP_MALFORMED);
	/* header cut / frame too short */
	g_assert_cmpint(ipv6_parse(p.b, 39, p.n, false, &ii), ==, AN_IP_TRUNCATED);
	g_assert_cmpint(ipv6_parse(p.b, 39, 39, false, &ii), ==, AN_IP_MALFORMED);

	/* the frame walker gets to IKE through the extension headers */
	struct frame f;
	p.n -= 4; /* 4-byte body: too short for ISAKMP */
	patch16(&p, p.n - 4, 8);
	ip6_end(&p, ip);
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_ANOMALY);
	g_assert_cmpint(f.anomaly, ==, AN_IKE_MALFORMED);
	g_assert_cmpuint(f.sport, ==, 500);

	/* a chain of 17 destination-options headers is not a packet */
	p.n = 0;
	ip = put_ip6(&p, 60);
	for (int i = 0; i < 17; i++) {
		put8(&p, 60); put8(&p, 0); putz(&p, 6);
	}
	p.b[p.n - 8] = 59;
	ip6_end(&p, ip);
	g_assert_cmpint(ipv6_parse(p.b, p.n, p.n, false, &ii), ==, AN_IP_MALFORMED);
	/* ... 16 are fine */
	p.n -= 8;
	p.b[p.n - 8] = 59;
	ip6_end(&p, ip);
	g_assert_cmpint(ipv6_parse(p.b, p.n, p.n, false, &ii), ==, AN_NONE);
	g_assert_cmpuint(ii.proto, ==, 59);

	/* fragment header */
	p.n = 0;
	ip = put_ip6(&p, 44);
	put8(&p, 17); put8(&p, 0); put16(&p, (1448 << 0) | 1); put32(&p, 0xabcdef01);
	putz(&p, 16);
	ip6_end(&p, ip);
	g_assert_cmpint(ipv6_parse(p.b, p.n, p.n, false, &ii), ==, AN_NONE);
	g_assert_true(ii.is_fragment);
	g_assert_true(ii.more_frags);
	g_assert_cmpuint(ii.frag_offset, ==, 1448);
	g_assert_cmpuint(ii.frag_id, ==, 0xabcdef01);
	g_assert_cmpuint(ii.proto, ==, 17);
	g_assert_cmpuint(ii.hdr_len, ==, 48);
	g_assert_cmpuint(ii.payload_len, ==, 16);
	/* an atomic fragment is a whole packet */
	patch16(&p, 42, 0);
	g_assert_cmpint(ipv6_parse(p.b, p.n, p.n, false, &ii), ==, AN_NONE);
	g_assert_false(ii.is_fragment);
	g_assert_cmpuint(ii.proto, ==, 17);
}

static void test_udp(void)
{
	struct pkt p = { .n = 0 };
	struct udp_info u;
	put_udp(&p, 4500, 4501);
	putz(&p, 12);
	udp_end(&p, 0);
	g_assert_cmpint(udp_parse(p.b, p.n, p.n, false, &u), ==, AN_NONE);
	g_assert_cmpuint(u.sport, ==, 4500);
	g_assert_cmpuint(u.dport, ==, 4501);
	g_assert_cmpuint(u.len, ==, 20);
	g_assert_cmpuint(u.payload_len, ==, 12);
	g_assert_cmpuint(u.payload_caplen, ==, 12);
	g_assert_cmpint(udp_parse(p.b, 10, p.n, false, &u), ==, AN_NONE);
	g_assert_cmpuint(u.payload_caplen, ==, 2);
	g_assert_cmpint(udp_parse(p.b, 7, p.n, false, &u), ==, AN_UDP_TRUNCATED);
	g_assert_cmpint(udp_parse(p.b, 7, 7, false, &u), ==, AN_UDP_MALFORMED);
	g_assert_cmpint(udp_parse(p.b, p.n, p.n - 1, false, &u), ==, AN_UDP_MALFORMED);
	g_assert_cmpint(udp_parse(p.b, p.n, p.n - 1, true, &u), ==, AN_INNER_UDP_MALFORMED);
	/* UDP shorter than the IP payload: fine, the UDP length wins */
	g_assert_cmpint(udp_parse(p.b, p.n, p.n + 10, false, &u), ==, AN_NONE);
	g_assert_cmpuint(u.payload_len, ==, 12);
	patch16(&p, 4, 7);
	g_assert_cmpint(udp_parse(p.b, p.n, p.n, false, &u), ==, AN_UDP_MALFORMED);
	/* length 0: malformed, unless the IP payload is past 64 KiB (jumbo / BIG TCP GSO) */
	patch16(&p, 4, 0);
	g_assert_cmpint(udp_parse(p.b, p.n, p.n, false, &u), ==, AN_UDP_MALFORMED);
	g_assert_cmpint(udp_parse(p.b, p.n, 80000, false, &u), ==, AN_NONE);
	g_assert_cmpuint(u.payload_len, ==, 80000 - 8);
	g_assert_cmpuint(u.payload_caplen, ==, 12);
}

/* IPv4 / UDP sport->dport / payload, as a raw frame. */
static void build_udp(struct pkt *p, uint16_t sport, uint16_t dport, const void *payload, size_t n)
{
	p->n = 0;
	size_t ip = put_ip4(p, 17, IP4(203, 0, 113, 5), IP4(10, 0, 0, 1));
	size_t u = put_udp(p, sport, dport);
	putn(p, payload, n);
	udp_end(p, u);
	ip4_end(p, ip);
}

static const uint8_t isakmp_hdr[28] = {
	1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 2, 0, 0, 0, 0, 0, 0, 0, 0, 28,
};

static void test_esp_and_ike(void)
{
	struct pkt p;
	struct frame f;

	/* NAT-T keepalive */
	build_udp(&p, 4500, 4500, "\xff", 1);
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_NATT_KEEPALIVE);
	g_assert_cmpint(f.anomaly, ==, AN_NONE);
	g_assert_cmpuint(f.udp_len, ==, 9);
	g_assert_cmpuint(f.ip_len, ==, 29);
	/* ... even if the byte itself was not captured */
	frame_of(&p, 28, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_NATT_KEEPALIVE);
	/* a 1-byte payload that is not 0xff */
	build_udp(&p, 4500, 4500, "\x00", 1);
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.anomaly, ==, AN_ESP_MALFORMED);

	/* non-ESP marker + ISAKMP, NAT changed the source port */
	uint8_t m[32] = { 0 };
	memcpy(m + 4, isakmp_hdr, 28);
	build_udp(&p, 61001, 4500, m, sizeof m);
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_IKE);
	g_assert_true(f.ike_natt);
	g_assert_true(f.ike == p.b + 32);
	g_assert_cmpuint(f.ike_len, ==, 28);
	g_assert_cmpuint(f.ike_caplen, ==, 28);
	g_assert_cmpuint(f.sport, ==, 61001);
	/* cut inside the ISAKMP header */
	frame_of(&p, 40, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_ANOMALY);
	g_assert_cmpint(f.anomaly, ==, AN_IKE_TRUNCATED);
	/* cut inside the marker */
	frame_of(&p, 30, (uint32_t)p.n, &f);
	g_assert_cmpint(f.anomaly, ==, AN_ESP_TRUNCATED);
	/* a marker followed by too little for ISAKMP */
	build_udp(&p, 4500, 4500, m, 10);
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.anomaly, ==, AN_IKE_MALFORMED);

	/* plain IKE on 500, either side */
	build_udp(&p, 500, 33333, isakmp_hdr, 28);
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_IKE);
	g_assert_false(f.ike_natt);
	g_assert_true(f.ike == p.b + 28);
	/* version 3.0: not ISAKMP */
	p.b[28 + 17] = 0x30;
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.anomaly, ==, AN_IKE_MALFORMED);

	/* ESP in UDP: SPI and sequence number; snaplen cut after them */
	uint8_t esp[8 + 16 + 32 + 12];
	memset(esp, 0xab, sizeof esp);
	memcpy(esp, "\xc0\x01\x02\x03\x00\x00\x00\x07", 8);
	build_udp(&p, 4500, 4500, esp, sizeof esp);
	frame_of(&p, 40, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_ESP);
	g_assert_true(f.esp_in_udp);
	g_assert_cmphex(f.spi, ==, 0xc0010203);
	g_assert_cmpuint(f.seq, ==, 7);
	g_assert_cmpuint(f.esp_len, ==, sizeof esp);
	g_assert_cmpuint(f.esp_caplen, ==, 12);
	g_assert_cmpuint(f.ip_len, ==, 28 + sizeof esp);
	g_assert_cmpuint(f.udp_len, ==, 8 + sizeof esp);
	/* cut inside the sequence number */
	frame_of(&p, 34, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_ANOMALY);
	g_assert_cmpint(f.anomaly, ==, AN_ESP_TRUNCATED);
	/* ESP in UDP shorter than its header */
	build_udp(&p, 4500, 4500, esp, 6);
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.anomaly, ==, AN_ESP_MALFORMED);
	/* UDP length lying past the IP packet */
	build_udp(&p, 4500, 4500, esp, sizeof esp);
	patch16(&p, 24, 200);
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.anomaly, ==, AN_UDP_MALFORMED);

	/* ESP as IP protocol 50 */
	p.n = 0;
	size_t ip = put_ip4(&p, 50, IP4(1, 1, 1, 1), IP4(2, 2, 2, 2));
	putn(&p, esp, sizeof esp);
	ip4_end(&p, ip);
	frame_of(&p, 28, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_ESP);
	g_assert_false(f.esp_in_udp);
	g_assert_cmpuint(f.esp_len, ==, sizeof esp);
	g_assert_cmpuint(f.esp_caplen, ==, 8);
	g_assert_cmpuint(f.ip_proto, ==, 50);
	g_assert_cmpuint(f.src.b[0], ==, 1);
	g_assert_cmpuint(f.dst.b[3], ==, 2);
	frame_of(&p, 27, (uint32_t)p.n, &f);
	g_assert_cmpint(f.anomaly, ==, AN_ESP_TRUNCATED);

	/* other UDP */
	build_udp(&p, 53, 1025, "abcd", 4);
	frame_of(&p, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_IP_OTHER);
	g_assert_cmpint(f.anomaly, ==, AN_NONE);
}

static void test_natt_classify(void)
{
	enum natt_kind k;
	g_assert_cmpint(natt_classify((const uint8_t *)"\0\0\0\0", 4, 4, &k), ==, AN_NONE);
	g_assert_cmpint(k, ==, NATT_IKE);
	g_assert_cmpint(natt_classify((const uint8_t *)"\0\0\0\1", 4, 4, &k), ==, AN_NONE);
	g_assert_cmpint(k, ==, NATT_ESP);
	g_assert_cmpint(natt_classify((const uint8_t *)"\0\0", 2, 2, &k), ==, AN_ESP_MALFORMED);
	g_assert_cmpint(natt_classify((const uint8_t *)"\0\0", 2, 100, &k), ==, AN_ESP_TRUNCATED);
	g_assert_cmpint(natt_classify((const uint8_t *)"", 0, 0, &k), ==, AN_ESP_MALFORMED);
}

static void test_esp_trailer(void)
{
	/* payload "abcde", 3 pad bytes 1 2 3, pad length 3, next header 4 */
	const uint8_t t[] = { 'a', 'b', 'c', 'd', 'e', 1, 2, 3, 3, 4 };
	uint8_t nh;
	size_t len;
	bool ok;
	g_assert_cmpint(esp_trailer_parse(t, sizeof t, &nh, &len, &ok), ==, AN_NONE);
	g_assert_cmpuint(nh, ==, 4);
	g_assert_cmpuint(len, ==, 5);
	g_assert_true(ok);
	uint8_t bad[] = { 'a', 1, 9, 2, 17 };
	g_assert_cmpint(esp_trailer_parse(bad, sizeof bad, &nh, &len, &ok), ==, AN_NONE);
	g_assert_cmpuint(len, ==, 1);
	g_assert_false(ok);
	bad[3] = 4; /* pad length larger than what is there */
	g_assert_cmpint(esp_trailer_parse(bad, sizeof bad, &nh, &len, &ok), ==, AN_ESP_MALFORMED);
	g_assert_cmpint(esp_trailer_parse(bad, 1, &nh, &len, &ok), ==, AN_ESP_MALFORMED);
	g_assert_cmpint(esp_trailer_parse((const uint8_t *)"\0\x3b", 2, &nh, &len, &ok), ==, AN_NONE);
	g_assert_cmpuint(nh, ==, 59);
	g_assert_cmpuint(len, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dissect/ip/ipv4", test_ipv4);
	g_test_add_func("/dissect/ip/ipv6-ext", test_ipv6_ext);
	g_test_add_func("/dissect/ip/udp", test_udp);
	g_test_add_func("/dissect/ip/esp-ike", test_esp_and_ike);
	g_test_add_func("/dissect/ip/natt-classify", test_natt_classify);
	g_test_add_func("/dissect/ip/esp-trailer", test_esp_trailer);
	return g_test_run();
}
