/* Link layers: link_strip for every supported DLT, and through dissect_frame. */
#include <glib.h>

#include "dissect/frame.h"
#include "dissect/link.h"
#include "test_dissect_util.h"

/* A minimal IPv4/UDP/500 ISAKMP-free packet: IPv4 + UDP 1234->80, 4 bytes. */
static void put_ip_udp(struct pkt *p)
{
	size_t ip = put_ip4(p, 17, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2));
	size_t u = put_udp(p, 1234, 80);
	put32(p, 0xdeadbeef);
	udp_end(p, u);
	ip4_end(p, ip);
}

static void put_ip6_udp(struct pkt *p)
{
	size_t ip = put_ip6(p, 17);
	size_t u = put_udp(p, 1234, 80);
	put32(p, 0xdeadbeef);
	udp_end(p, u);
	ip6_end(p, ip);
}

static void check_ip(int dlt, const struct pkt *p, enum net_proto net, uint32_t offset)
{
	struct link_info li;
	g_assert_cmpint(link_strip(dlt, p->b, p->n, p->n, &li), ==, AN_NONE);
	g_assert_cmpint(li.net, ==, net);
	g_assert_cmpuint(li.offset, ==, offset);

	struct frame f;
	dissect_frame(NULL, dlt, 0, p->b, (uint32_t)p->n, (uint32_t)p->n, &f);
	g_assert_cmpint(f.kind, ==, FK_IP_OTHER);
	g_assert_cmpint(f.anomaly, ==, AN_NONE);
	g_assert_cmpuint(f.sport, ==, 1234);
	g_assert_cmpuint(f.dport, ==, 80);
	g_assert_cmpuint(f.ip_len, ==, net == NET_IPV4 ? 32 : 52);
}

static void test_supported(void)
{
	int yes[] = { 0, 1, 9, 12, 14, 50, 51, 101, 104, 108, 113, 204, 228, 229, 276 };
	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		g_assert_true(link_supported(yes[i]));
		g_assert_cmpstr(link_name(yes[i]), !=, "unsupported");
	}
	g_assert_false(link_supported(105)); /* 802.11 */
	g_assert_false(link_supported(-1));
	g_assert_cmpstr(link_name(105), ==, "unsupported");
	g_assert_cmpstr(link_name(1), ==, "Ethernet");

	struct pkt p = { .n = 0 };
	put_ip_udp(&p);
	struct frame f;
	dissect_frame(NULL, 105, 0, p.b, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_NOT_IP);
}

static void test_ethernet(void)
{
	struct pkt p = { .n = 0 };
	put_eth(&p, 0x0800);
	put_ip_udp(&p);
	check_ip(1, &p, NET_IPV4, 14);

	p.n = 0;
	put_eth(&p, 0x86dd);
	put_ip6_udp(&p);
	check_ip(1, &p, NET_IPV6, 14);

	/* ARP is not IP and not an anomaly */
	p.n = 0;
	put_eth(&p, 0x0806);
	putz(&p, 28);
	struct frame f;
	dissect_frame(NULL, 1, 0, p.b, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_NOT_IP);
	g_assert_cmpint(f.anomaly, ==, AN_NONE);

	/* LLC/SNAP carrying IPv4 */
	p.n = 0;
	put_eth(&p, 40);
	putn(&p, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
	put_ip_udp(&p);
	check_ip(1, &p, NET_IPV4, 22);

	/* Ethernet padding after a short IP packet does not change lengths */
	p.n = 0;
	put_eth(&p, 0x0800);
	put_ip_udp(&p);
	putz(&p, 60 - p.n);
	check_ip(1, &p, NET_IPV4, 14);
}

static void test_vlans(void)
{
	struct pkt p = { .n = 0 };
	struct link_info li;

	/* 802.1ad outer 100, 802.1Q inner 200 */
	put_eth(&p, 0x88a8);
	put16(&p, 0x2064); put16(&p, 0x8100);
	put16(&p, 0x00c8); put16(&p, 0x0800);
	put_ip_udp(&p);
	check_ip(1, &p, NET_IPV4, 22);
	link_strip(1, p.b, p.n, p.n, &li);
	g_assert_cmpuint(li.n_vlans, ==, 2);
	g_assert_cmpuint(li.vlan[0], ==, 100);
	g_assert_cmpuint(li.vlan[1], ==, 200);

	/* old 0x9100 QinQ */
	p.n = 0;
	put_eth(&p, 0x9100);
	put16(&p, 5); put16(&p, 0x86dd);
	put_ip6_udp(&p);
	check_ip(1, &p, NET_IPV6, 18);

	/* nine stacked tags: malformed */
	p.n = 0;
	put_eth(&p, 0x8100);
	for (int i = 0; i < 9; i++) {
		put16(&p, 1); put16(&p, 0x8100);
	}
	put_ip_udp(&p);
	g_assert_cmpint(link_strip(1, p.b, p.n, p.n, &li), ==, AN_LINK_MALFORMED);

	/* a tag cut by the snaplen, and a frame that ends inside a tag */
	p.n = 0;
	put_eth(&p, 0x8100);
	put16(&p, 1);
	g_assert_cmpint(link_strip(1, p.b, p.n, 100, &li), ==, AN_LINK_TRUNCATED);
	g_assert_cmpint(link_strip(1, p.b, p.n, p.n, &li), ==, AN_LINK_MALFORMED);
}

/* The router's WAN: Ethernet + VLAN + PPPoE session + PPP + IPv4 */
static void test_pppoe(void)
{
	struct pkt p = { .n = 0 };
	struct link_info li;

	put_eth(&p, 0x8100);
	put16(&p, 0x0023); put16(&p, 0x8864);
	size_t ph = p.n;
	put8(&p, 0x11); put8(&p, 0); put16(&p, 0x1a2b); put16(&p, 0);
	put16(&p, 0x0021);
	put_ip_udp(&p);
	patch16(&p, ph + 4, (uint16_t)(p.n - ph - 6));
	putz(&p, 6); /* trailer after the PPPoE payload */
	check_ip(1, &p, NET_IPV4, 26);
	g_assert_cmpint(link_strip(1, p.b, p.n, p.n, &li), ==, AN_NONE);
	g_assert_true(li.pppoe);
	g_assert_cmpuint(li.pppoe_session, ==, 0x1a2b);
	g_assert_cmpuint(li.ppp_protocol, ==, 0x0021);
	g_assert_cmpuint(li.n_vlans, ==, 1);
	g_assert_cmpuint(li.vlan[0], ==, 0x23);
	g_assert_cmpuint(li.net_len_limit, ==, 32);

	/* PPPoE length larger than the frame: a lie */
	patch16(&p, ph + 4, 2000);
	g_assert_cmpint(link_strip(1, p.b, p.n, p.n, &li), ==, AN_LINK_MALFORMED);
	/* PPPoE length shorter than the IP packet: the IP length then lies */
	patch16(&p, ph + 4, 20);
	struct frame f;
	dissect_frame(NULL, 1, 0, p.b, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.kind, ==, FK_ANOMALY);
	g_assert_cmpint(f.anomaly, ==, AN_IP_MALFORMED);

	/* IPv6 over PPPoE, no VLAN */
	p.n = 0;
	put_eth(&p, 0x8864);
	ph = p.n;
	put8(&p, 0x11); put8(&p, 0); put16(&p, 7); put16(&p, 0);
	put16(&p, 0x0057);
	put_ip6_udp(&p);
	patch16(&p, ph + 4, (uint16_t)(p.n - ph - 6));
	check_ip(1, &p, NET_IPV6, 22);

	/* LCP in a session, and discovery: not IP */
	p.n = 0;
	put_eth(&p, 0x8864);
	put8(&p, 0x11); put8(&p, 0); put16(&p, 7); put16(&p, 6);
	put16(&p, 0xc021); put8(&p, 9); put8(&p, 1); put16(&p, 4);
	g_assert_cmpint(link_strip(1, p.b, p.n, p.n, &li), ==, AN_NONE);
	g_assert_cmpint(li.net, ==, NET_OTHER);
	p.n = 0;
	put_eth(&p, 0x8863);
	put8(&p, 0x11); put8(&p, 0x09); put16(&p, 0); put16(&p, 0);
	g_assert_cmpint(link_strip(1, p.b, p.n, p.n, &li), ==, AN_NONE);
	g_assert_cmpint(li.net, ==, NET_OTHER);

	/* wrong version/type */
	p.n = 0;
	put_eth(&p, 0x8864);
	put8(&p, 0x21); put8(&p, 0); put16(&p, 7); put16(&p, 2);
	put16(&p, 0x0021);
	g_assert_cmpint(link_strip(1, p.b, p.n, p.n, &li), ==, AN_LINK_MALFORMED);
	/* cut inside the PPPoE header */
	g_assert_cmpint(link_strip(1, p.b, 17, 60, &li), ==, AN_LINK_TRUNCATED);

	/* DLT_PPP_ETHER: PPPoE header first */
	p.n = 0;
	put8(&p, 0x11); put8(&p, 0); put16(&p, 7); put16(&p, 0);
	put16(&p, 0x0021);
	put_ip_udp(&p);
	patch16(&p, 4, (uint16_t)(p.n - 6));
	check_ip(51, &p, NET_IPV4, 8);
}

static void test_sll(void)
{
	struct pkt p = { .n = 0 };
	put16(&p, 0); put16(&p, 1); put16(&p, 6); putz(&p, 8); put16(&p, 0x0800);
	put_ip_udp(&p);
	check_ip(113, &p, NET_IPV4, 16);

	/* SLL with a VLAN tag left in */
	p.n = 0;
	put16(&p, 4); put16(&p, 1); put16(&p, 6); putz(&p, 8); put16(&p, 0x8100);
	put16(&p, 10); put16(&p, 0x86dd);
	put_ip6_udp(&p);
	check_ip(113, &p, NET_IPV6, 20);

	/* SLL2 */
	p.n = 0;
	put16(&p, 0x86dd); put16(&p, 0); put32(&p, 3); put16(&p, 1); put8(&p, 0); put8(&p, 6);
	putz(&p, 8);
	put_ip6_udp(&p);
	check_ip(276, &p, NET_IPV6, 20);

	struct link_info li;
	g_assert_cmpint(link_strip(276, p.b, 10, p.n, &li), ==, AN_LINK_TRUNCATED);
	g_assert_cmpint(link_strip(113, p.b, 10, 10, &li), ==, AN_LINK_MALFORMED);
}

static void test_raw(void)
{
	struct pkt p = { .n = 0 };
	put_ip_udp(&p);
	check_ip(12, &p, NET_IPV4, 0);
	check_ip(14, &p, NET_IPV4, 0);
	check_ip(101, &p, NET_IPV4, 0);
	check_ip(228, &p, NET_IPV4, 0);
	p.n = 0;
	put_ip6_udp(&p);
	check_ip(12, &p, NET_IPV6, 0);
	check_ip(101, &p, NET_IPV6, 0);
	check_ip(229, &p, NET_IPV6, 0);

	/* DLT_IPV4 with an IPv6 packet in it: malformed IP */
	struct frame f;
	dissect_frame(NULL, 228, 0, p.b, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.anomaly, ==, AN_IP_MALFORMED);
	/* raw with version 5 */
	p.b[0] = 0x55;
	dissect_frame(NULL, 12, 0, p.b, (uint32_t)p.n, (uint32_t)p.n, &f);
	g_assert_cmpint(f.anomaly, ==, AN_IP_MALFORMED);
	/* an empty raw frame */
	dissect_frame(NULL, 12, 0, p.b, 0, 0, &f);
	g_assert_cmpint(f.anomaly, ==, AN_LINK_MALFORMED);
	dissect_frame(NULL, 12, 0, p.b, 0, 40, &f);
	g_assert_cmpint(f.anomaly, ==, AN_LINK_TRUNCATED);
}

static void test_loopback(void)
{
	struct pkt p = { .n = 0 };
	/* host order, little-endian writer */
	putn(&p, "\x02\x00\x00\x00", 4);
	put_ip_udp(&p);
	check_ip(0, &p, NET_IPV4, 4);
	/* network order (DLT_LOOP, or a big-endian writer) */
	memcpy(p.b, "\x00\x00\x00\x02", 4);
	check_ip(108, &p, NET_IPV4, 4);
	check_ip(0, &p, NET_IPV4, 4);

	static const uint8_t af6[] = { 10, 24, 28, 30 };
	for (size_t i = 0; i < sizeof af6; i++) {
		p.n = 0;
		put8(&p, af6[i]); putz(&p, 3);
		put_ip6_udp(&p);
		check_ip(0, &p, NET_IPV6, 4);
		p.b[0] = 0;
		p.b[3] = af6[i];
		check_ip(108, &p, NET_IPV6, 4);
	}
	/* AF_APPLETALK or so: not IP */
	struct link_info li;
	memcpy(p.b, "\x00\x00\x00\x10", 4);
	g_assert_cmpint(link_strip(108, p.b, p.n, p.n, &li), ==, AN_NONE);
	g_assert_cmpint(li.net, ==, NET_OTHER);
	g_assert_cmpint(link_strip(0, p.b, 3, 3, &li), ==, AN_LINK_MALFORMED);
}

static void test_ppp_links(void)
{
	struct pkt p = { .n = 0 };
	/* DLT_PPP with FF 03 */
	putn(&p, "\xff\x03\x00\x21", 4);
	put_ip_udp(&p);
	check_ip(9, &p, NET_IPV4, 4);
	check_ip(50, &p, NET_IPV4, 4);
	/* without address/control, compressed protocol */
	p.n = 0;
	put8(&p, 0x21);
	put_ip_udp(&p);
	check_ip(9, &p, NET_IPV4, 1);
	/* with direction byte */
	p.n = 0;
	putn(&p, "\x01\xff\x03\x00\x57", 5);
	put_ip6_udp(&p);
	check_ip(204, &p, NET_IPV6, 5);
	/* Cisco HDLC */
	p.n = 0;
	putn(&p, "\x0f\x00\x08\x00", 4);
	put_ip_udp(&p);
	check_ip(104, &p, NET_IPV4, 4);
	check_ip(50, &p, NET_IPV4, 4);
	/* a protocol field with an even low byte is malformed */
	struct link_info li;
	p.n = 0;
	putn(&p, "\xff\x03\x00\x20", 4);
	put_ip_udp(&p);
	g_assert_cmpint(link_strip(9, p.b, p.n, p.n, &li), ==, AN_LINK_MALFORMED);
	g_assert_cmpint(link_strip(9, p.b, 3, p.n, &li), ==, AN_LINK_TRUNCATED);
	/* FF not followed by 03 */
	p.b[1] = 0x05;
	g_assert_cmpint(link_strip(9, p.b, p.n, p.n, &li), ==, AN_LINK_MALFORMED);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dissect/link/supported", test_supported);
	g_test_add_func("/dissect/link/ethernet", test_ethernet);
	g_test_add_func("/dissect/link/vlans", test_vlans);
	g_test_add_func("/dissect/link/pppoe", test_pppoe);
	g_test_add_func("/dissect/link/sll", test_sll);
	g_test_add_func("/dissect/link/raw", test_raw);
	g_test_add_func("/dissect/link/loopback", test_loopback);
	g_test_add_func("/dissect/link/ppp", test_ppp_links);
	return g_test_run();
}
