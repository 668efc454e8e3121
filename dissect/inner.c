/* The inner walker: each parser says what comes next; this loop follows. */
#include <string.h>

#include "dissect/inner.h"

enum { P_IPV4 = 4, P_TCP = 6, P_UDP = 17, P_IPV6 = 41 };

/* TCP or UDP after an IP layer (or right under ESP).  Returns the UDP
 * struct filled, or NULL if it was not UDP. */
static const struct udp_info *transport(struct inner *out, uint8_t proto, const uint8_t *p,
					size_t caplen, size_t len, struct udp_info *udp,
					uint32_t udp_bit)
{
	enum anomaly an;

	switch (proto) {
	case P_TCP:
		an = tcp_parse(p, caplen, len, &out->tcp);
		out->layers |= IL_TCP;
		out->anomaly = an;
		return NULL;
	case P_UDP:
		an = udp_parse(p, caplen, len, true, udp);
		out->layers |= udp_bit;
		out->anomaly = an;
		return an == AN_NONE ? udp : NULL;
	default:
		return NULL; /* 59 (no next header: a dummy packet), ICMP, GRE, ... */
	}
}

/* Parses IP into *ip; false when the walk must stop there (an anomaly, or a
 * fragment: inner fragments are not reassembled). */
static bool inner_ip(struct inner *out, uint8_t proto, const uint8_t *p, size_t caplen,
		     size_t len, struct ip_info *ip, uint32_t bit)
{
	if (proto == P_IPV4)
		out->anomaly = ipv4_parse(p, caplen, len, true, ip);
	else
		out->anomaly = ipv6_parse(p, caplen, len, true, ip);
	out->layers |= bit;
	return out->anomaly == AN_NONE && !ip->is_fragment;
}

static void l2tp_ppp(struct inner *out, const struct udp_info *udp)
{
	struct l2tp_info *l2tp = &out->l2tp;

	out->layers |= IL_L2TP;
	out->anomaly = l2tp_parse(udp->payload, udp->payload_caplen, udp->payload_len, l2tp);
	if (out->anomaly != AN_NONE || l2tp->control)
		return;

	struct ppp_info *ppp = &out->ppp;
	out->layers |= IL_PPP;
	out->anomaly = ppp_parse(l2tp->payload, l2tp->payload_caplen, l2tp->payload_len, ppp);
	if (out->anomaly != AN_NONE)
		return;
	uint8_t proto;
	if (ppp->kind == PPPK_IPV4)
		proto = P_IPV4;
	else if (ppp->kind == PPPK_IPV6)
		proto = P_IPV6;
	else
		return; /* LCP, IPCP, CCP, compressed data, ... */

	struct ip_info *ip = &out->ppp_ip;
	if (!inner_ip(out, proto, ppp->payload, ppp->payload_caplen, ppp->payload_len, ip, IL_PPP_IP))
		return;
	transport(out, ip->proto, ip->payload, ip->payload_caplen, ip->payload_len, &out->ppp_udp,
		  IL_PPP_UDP);
}

void dissect_inner_cap(uint8_t next_header, const uint8_t *p, size_t caplen, size_t len,
		       struct inner *out)
{
	memset(out, 0, sizeof *out);
	out->next_header = next_header;
	if (caplen > len)
		caplen = len;

	uint8_t proto = next_header;
	if (proto == P_IPV4 || proto == P_IPV6) {
		if (!inner_ip(out, proto, p, caplen, len, &out->ip, IL_IP))
			return;
		proto = out->ip.proto;
		p = out->ip.payload;
		caplen = out->ip.payload_caplen;
		len = out->ip.payload_len;
	}
	const struct udp_info *udp = transport(out, proto, p, caplen, len, &out->udp, IL_UDP);
	if (udp && (udp->sport == L2TP_PORT || udp->dport == L2TP_PORT))
		l2tp_ppp(out, udp);
}

void dissect_inner(uint8_t next_header, const uint8_t *p, size_t len, struct inner *out)
{
	dissect_inner_cap(next_header, p, len, len, out);
}

const struct ip_info *inner_user_ip(const struct inner *in)
{
	if (in->layers & IL_PPP_IP)
		return &in->ppp_ip;
	if (in->layers & IL_IP)
		return &in->ip;
	return NULL;
}
