/* Decrypted inner packets: tunnel/transport mode, L2TP, PPP, TCP. */
#include <glib.h>

#include "dissect/inner.h"
#include "test_dissect_util.h"

static void put_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		    uint8_t flags, bool opts)
{
	put16(p, sport); put16(p, dport); put32(p, seq); put32(p, ack);
	put8(p, opts ? 0xa0 : 0x50); put8(p, flags); put16(p, 64240); put32(p, 0);
	if (opts) {
		/* MSS 1360, NOP, WS 7, SACK-permitted, timestamps */
		putn(p, "\x02\x04\x05\x50" "\x01\x03\x03\x07" "\x04\x02\x08\x0a", 12);
		put32(p, 1000); put32(p, 0);
	}
}

/* L2TP data header with L and S bits, then PPP with FF 03 */
static size_t put_l2tp_data(struct pkt *p, bool length, bool seq, bool offset, bool ffo3, bool pfc)
{
	size_t o = p->n;
	uint16_t flags = 0x0002 | (length ? 0x4000 : 0) | (seq ? 0x0800 : 0) | (offset ? 0x0200 : 0);
	put16(p, flags);
	if (length)
		put16(p, 0);
	put16(p, 0x1111); put16(p, 0x2222);
	if (seq) {
		put16(p, 3); put16(p, 4);
	}
	if (offset) {
		put16(p, 2); put16(p, 0);
	}
	if (ffo3) {
		put8(p, 0xff); put8(p, 0x03);
	}
	if (pfc)
		put8(p, 0x21);
	else
		put16(p, 0x0021);
	return o;
}

static void test_l2tp_ppp_ip_tcp(void)
{
	/* transport mode: UDP 1701 → L2TP (L, S) → PPP FF03 0021 → IPv4 → TCP + 100 bytes */
	for (int variant = 0; variant < 4; variant++) {
		bool length = variant & 1, pfc = variant & 2;
		struct pkt p = { .n = 0 };
		size_t u = put_udp(&p, 1701, 1701);
		size_t l = put_l2tp_data(&p, length, true, variant == 3, !pfc, pfc);
		size_t ip = put_ip4(&p, 6, IP4(192, 168, 1, 10), IP4(10, 1, 2, 3));
		put_tcp(&p, 49152, 443, 1000, 2000, 0x18, variant == 0);
		putfill(&p, 0x61, 100);
		ip4_end(&p, ip);
		if (length)
			patch16(&p, l + 2, (uint16_t)(p.n - l));
		udp_end(&p, u);

		struct inner in;
		dissect_inner(17, p.b, p.n, &in);
		g_assert_cmpint(in.anomaly, ==, AN_NONE);
		g_assert_cmpuint(in.layers, ==, IL_UDP | IL_L2TP | IL_PPP | IL_PPP_IP | IL_TCP);
		g_assert_cmpuint(in.next_header, ==, 17);
		g_assert_cmpuint(in.udp.sport, ==, 1701);
		g_assert_false(in.l2tp.control);
		g_assert_cmpuint(in.l2tp.version, ==, 2);
		g_assert_cmpuint(in.l2tp.tunnel_id, ==, 0x1111);
		g_assert_cmpuint(in.l2tp.session_id, ==, 0x2222);
		g_assert_cmpuint(in.l2tp.ns, ==, 3);
		g_assert_cmpuint(in.l2tp.nr, ==, 4);
		g_assert_cmpuint(in.l2tp.hdr_len, ==, 2 + (length ? 2 : 0) + 4 + 4 + (variant == 3 ? 4 : 0));
		g_assert_true(in.ppp.addr_ctrl == !pfc);
		g_assert_true(in.ppp.pfc == pfc);
		g_assert_cmpuint(in.ppp.protocol, ==, 0x0021);
		g_assert_cmpint(in.ppp.kind, ==, PPPK_IPV4);
		g_assert_cmpuint(in.ppp_ip.src.b[0], ==, 192);
		g_assert_cmpuint(in.ppp_ip.proto, ==, 6);
		g_assert_true(inner_user_ip(&in) == &in.ppp_ip);
		g_assert_cmpuint(in.tcp.sport, ==, 49152);
		g_assert_cmpuint(in.tcp.dport, ==, 443);
		g_assert_cmpuint(in.tcp.seq, ==, 1000);
		g_assert_cmpuint(in.tcp.ack, ==, 2000);
		g_assert_cmpuint(in.tcp.flags, ==, TCP_PSH | TCP_ACK);
		g_assert_cmpuint(in.tcp.window, ==, 64240);
		g_assert_cmpuint(in.tcp.hdr_len, ==, variant == 0 ? 40 : 20);
		g_assert_cmpuint(in.tcp.payload_len, ==, 100);
		if (variant == 0) {
			g_assert_cmpuint(in.tcp.mss, ==, 1360);
			g_assert_cmpint(in.tcp.wscale, ==, 7);
			g_assert_true(in.tcp.sack_permitted);
			g_assert_true(in.tcp.has_timestamps);
			g_assert_cmpuint(in.tcp.ts_val, ==, 1000);
		} else {
			g_assert_cmpint(in.tcp.wscale, ==, -1);
		}
	}
}

static void test_l2tp_control_and_lcp(void)
{
	struct pkt p = { .n = 0 };
	struct inner in;

	/* control: Hello (message type 6) */
	size_t u = put_udp(&p, 1701, 1701);
	put16(&p, 0xc802); put16(&p, 20); put16(&p, 0x1111); put16(&p, 0);
	put16(&p, 5); put16(&p, 6);
	put16(&p, 0x8008); put16(&p, 0); put16(&p, 0); put16(&p, 6);
	udp_end(&p, u);
	dissect_inner(17, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_NONE);
	g_assert_cmpuint(in.layers, ==, IL_UDP | IL_L2TP);
	g_assert_true(in.l2tp.control);
	g_assert_cmpuint(in.l2tp.msg_type, ==, 6);
	g_assert_false(in.l2tp.zlb);
	g_assert_cmpuint(in.l2tp.ns, ==, 5);
	/* ZLB acknowledgement */
	p.n = 0;
	u = put_udp(&p, 1701, 1701);
	put16(&p, 0xc802); put16(&p, 12); put16(&p, 0x1111); put16(&p, 0);
	put16(&p, 5); put16(&p, 7);
	udp_end(&p, u);
	dissect_inner(17, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_NONE);
	g_assert_true(in.l2tp.zlb);
	/* control without the S bit: malformed */
	p.b[8] = 0xc0;
	dissect_inner(17, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_L2TP_MALFORMED);
	/* length field larger than the UDP payload */
	p.b[8] = 0xc8;
	patch16(&p, 10, 13);
	dissect_inner(17, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_L2TP_MALFORMED);
	/* L2TPv3 version nibble */
	patch16(&p, 10, 12);
	p.b[9] = 0x03;
	dissect_inner(17, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_L2TP_MALFORMED);

	/* data: LCP Echo-Request, and CCP, IPCP, IPv6CP, compressed */
	static const struct {
		uint16_t proto;
		enum ppp_kind kind;
	} cps[] = { { 0xc021, PPPK_LCP }, { 0x80fd, PPPK_CCP }, { 0x8021, PPPK_IPCP },
		    { 0x8057, PPPK_IPV6CP }, { 0xc223, PPPK_AUTH }, { 0x00fd, PPPK_COMPRESSED },
		    { 0x002b, PPPK_OTHER } };
	for (size_t i = 0; i < G_N_ELEMENTS(cps); i++) {
		p.n = 0;
		u = put_udp(&p, 50000, 1701);
		put16(&p, 0x0002); put16(&p, 0x1111); put16(&p, 0x2222);
		put8(&p, 0xff); put8(&p, 0x03); put16(&p, cps[i].proto);
		put8(&p, 9); put8(&p, 42); put16(&p, 8); put32(&p, 0x01020304);
		udp_end(&p, u);
		dissect_inner(17, p.b, p.n, &in);
		g_assert_cmpint(in.anomaly, ==, AN_NONE);
		g_assert_cmpuint(in.layers, ==, IL_UDP | IL_L2TP | IL_PPP);
		g_assert_cmpint(in.ppp.kind, ==, cps[i].kind);
		g_assert_cmpstr(ppp_kind_name(in.ppp.kind), !=, NULL);
		if (i < 5) {
			g_assert_true(in.ppp.has_code);
			g_assert_cmpuint(in.ppp.code, ==, 9);
			g_assert_cmpuint(in.ppp.id, ==, 42);
			g_assert_cmpuint(in.ppp.cp_len, ==, 8);
		}
		g_assert_null(inner_user_ip(&in));
	}
	/* LCP length past the frame */
	patch16(&p, 8 + 6 + 4 + 2, 0x0c);
	p.b[8 + 6 + 2] = 0xc0; p.b[8 + 6 + 3] = 0x21;
	dissect_inner(17, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_PPP_MALFORMED);
	/* PPP protocol with an even low byte */
	p.b[8 + 6 + 3] = 0x20;
	dissect_inner(17, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_PPP_MALFORMED);
	/* PPP frame empty */
	p.n = 0;
	u = put_udp(&p, 1701, 1701);
	put16(&p, 0x0002); put16(&p, 0x1111); put16(&p, 0x2222);
	udp_end(&p, u);
	dissect_inner(17, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_PPP_MALFORMED);
	/* ... even from a partial plaintext: the UDP length says the frame is empty */
	dissect_inner_cap(17, p.b, p.n, p.n + 10, &in);
	g_assert_cmpint(in.anomaly, ==, AN_PPP_MALFORMED);
	/* whereas a UDP length claiming more than was decrypted makes it truncated */
	patch16(&p, 4, (uint16_t)(p.n + 10));
	dissect_inner_cap(17, p.b, p.n, p.n + 10, &in);
	g_assert_cmpint(in.anomaly, ==, AN_PPP_TRUNCATED);
}

static void test_tunnel_mode(void)
{
	struct pkt p = { .n = 0 };
	struct inner in;

	/* next header 4: IPv4 → UDP 53 */
	size_t ip = put_ip4(&p, 17, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2));
	size_t u = put_udp(&p, 5353, 53);
	putz(&p, 30);
	udp_end(&p, u);
	ip4_end(&p, ip);
	dissect_inner(4, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_NONE);
	g_assert_cmpuint(in.layers, ==, IL_IP | IL_UDP);
	g_assert_cmpuint(in.udp.dport, ==, 53);
	g_assert_cmpuint(in.udp.payload_len, ==, 30);
	g_assert_true(inner_user_ip(&in) == &in.ip);

	/* next header 41: IPv6 → TCP */
	p.n = 0;
	ip = put_ip6(&p, 6);
	put_tcp(&p, 22, 50000, 1, 2, TCP_SYN | TCP_ACK, true);
	ip6_end(&p, ip);
	dissect_inner(41, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_NONE);
	g_assert_cmpuint(in.layers, ==, IL_IP | IL_TCP);
	g_assert_cmpuint(in.ip.version, ==, 6);
	g_assert_cmpuint(in.tcp.flags, ==, TCP_SYN | TCP_ACK);
	g_assert_cmpuint(in.tcp.payload_len, ==, 0);
	g_assert_cmpuint(in.tcp.mss, ==, 1360);

	/* inner IP total length larger than the plaintext: inner malformed */
	dissect_inner(41, p.b, p.n - 1, &in);
	g_assert_cmpint(in.anomaly, ==, AN_INNER_IP_MALFORMED);
	/* partial plaintext (snaplen): truncated */
	dissect_inner_cap(41, p.b, 30, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_INNER_IP_TRUNCATED);
	dissect_inner_cap(41, p.b, 50, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_TCP_TRUNCATED);
	/* TCP data offset 4 */
	p.b[40 + 12] = 0x40;
	dissect_inner(41, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_TCP_MALFORMED);
	/* TCP data offset past the segment */
	p.b[40 + 12] = 0xf0;
	dissect_inner(41, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_TCP_MALFORMED);

	/* next header 4 but version 6 in the packet */
	dissect_inner(4, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_INNER_IP_MALFORMED);
	/* next header 59: a dummy packet, nothing to walk */
	dissect_inner(59, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_NONE);
	g_assert_cmpuint(in.layers, ==, 0);

	/* transport-mode TCP */
	p.n = 0;
	put_tcp(&p, 1, 2, 3, 4, TCP_FIN, false);
	putz(&p, 5);
	dissect_inner(6, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_NONE);
	g_assert_cmpuint(in.layers, ==, IL_TCP);
	g_assert_cmpuint(in.tcp.payload_len, ==, 5);
	dissect_inner(6, p.b, 19, &in);
	g_assert_cmpint(in.anomaly, ==, AN_TCP_MALFORMED);

	/* inner UDP lying about its length */
	p.n = 0;
	u = put_udp(&p, 1701, 1701);
	putz(&p, 4);
	patch16(&p, u + 4, 40);
	dissect_inner(17, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_INNER_UDP_MALFORMED);
	dissect_inner(17, p.b, 5, &in);
	g_assert_cmpint(in.anomaly, ==, AN_INNER_UDP_MALFORMED);
	dissect_inner_cap(17, p.b, 5, 48, &in);
	g_assert_cmpint(in.anomaly, ==, AN_INNER_UDP_TRUNCATED);

	/* inner fragment: not reassembled, the walk stops at IP */
	p.n = 0;
	ip = put_ip4(&p, 17, IP4(10, 0, 0, 1), IP4(10, 0, 0, 2));
	patch16(&p, ip + 6, 0x2000);
	putz(&p, 64);
	ip4_end(&p, ip);
	dissect_inner(4, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_NONE);
	g_assert_cmpuint(in.layers, ==, IL_IP);
	g_assert_true(in.ip.is_fragment);
}

static void test_l2tp_ppp_ipv6_udp(void)
{
	struct pkt p = { .n = 0 };
	struct inner in;
	/* tunnel IPv4 → UDP 1701 → L2TP → PPP (no FF03, PFC 0x57) → IPv6 → UDP */
	size_t tip = put_ip4(&p, 17, IP4(172, 16, 0, 1), IP4(172, 16, 0, 2));
	size_t u = put_udp(&p, 1701, 1701);
	put16(&p, 0x0002); put16(&p, 1); put16(&p, 2);
	put8(&p, 0x57);
	size_t ip = put_ip6(&p, 17);
	size_t u2 = put_udp(&p, 546, 547);
	putz(&p, 10);
	udp_end(&p, u2);
	ip6_end(&p, ip);
	udp_end(&p, u);
	ip4_end(&p, tip);
	dissect_inner(4, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_NONE);
	g_assert_cmpuint(in.layers, ==, IL_IP | IL_UDP | IL_L2TP | IL_PPP | IL_PPP_IP | IL_PPP_UDP);
	g_assert_cmpint(in.ppp.kind, ==, PPPK_IPV6);
	g_assert_true(in.ppp.pfc);
	g_assert_cmpuint(in.ppp_ip.version, ==, 6);
	g_assert_cmpuint(in.ppp_udp.sport, ==, 546);
	g_assert_cmpuint(in.ppp_udp.payload_len, ==, 10);
	/* the user's IPv6 packet claims more than PPP carries */
	patch16(&p, (size_t)(ip + 4), 100);
	dissect_inner(4, p.b, p.n, &in);
	g_assert_cmpint(in.anomaly, ==, AN_INNER_IP_MALFORMED);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dissect/inner/l2tp-ppp-ip-tcp", test_l2tp_ppp_ip_tcp);
	g_test_add_func("/dissect/inner/l2tp-control-lcp", test_l2tp_control_and_lcp);
	g_test_add_func("/dissect/inner/tunnel-mode", test_tunnel_mode);
	g_test_add_func("/dissect/inner/l2tp-ppp-ipv6-udp", test_l2tp_ppp_ipv6_udp);
	return g_test_run();
}
