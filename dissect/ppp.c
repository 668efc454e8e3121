/* PPP header: address/control, protocol, and a control protocol's code/id/length. */
#include <string.h>

#include "dissect/cursor.h"
#include "dissect/layer.h"
#include "dissect/ppp.h"

enum ppp_kind ppp_kind_of(uint16_t protocol)
{
	switch (protocol) {
	case PPP_IPV4: return PPPK_IPV4;
	case PPP_IPV6: return PPPK_IPV6;
	case PPP_LCP: return PPPK_LCP;
	case PPP_IPCP: return PPPK_IPCP;
	case PPP_CCP: return PPPK_CCP;
	case PPP_IPV6CP: return PPPK_IPV6CP;
	case PPP_PAP:
	case PPP_CHAP:
	case 0xc227: /* EAP */
		return PPPK_AUTH;
	case PPP_COMP: return PPPK_COMPRESSED;
	default: return PPPK_OTHER;
	}
}

const char *ppp_kind_name(enum ppp_kind k)
{
	switch (k) {
	case PPPK_IPV4: return "ipv4";
	case PPPK_IPV6: return "ipv6";
	case PPPK_LCP: return "lcp";
	case PPPK_IPCP: return "ipcp";
	case PPPK_CCP: return "ccp";
	case PPPK_IPV6CP: return "ipv6cp";
	case PPPK_AUTH: return "auth";
	case PPPK_COMPRESSED: return "compressed";
	case PPPK_OTHER: break;
	}
	return "other";
}

static bool is_control(enum ppp_kind k)
{
	return k == PPPK_LCP || k == PPPK_IPCP || k == PPPK_CCP || k == PPPK_IPV6CP ||
	       k == PPPK_AUTH;
}

enum anomaly ppp_parse(const uint8_t *p, size_t caplen, size_t len, struct ppp_info *out)
{
	enum anomaly an;
	size_t off = 0;

	memset(out, 0, sizeof *out);
	caplen = layer_min(caplen, len);
	if ((an = layer_need(1, caplen, len, AN_PPP_TRUNCATED, AN_PPP_MALFORMED)) != AN_NONE)
		return an;
	if (p[0] == 0xff) {
		if ((an = layer_need(2, caplen, len, AN_PPP_TRUNCATED, AN_PPP_MALFORMED)) != AN_NONE)
			return an;
		if (p[1] != 0x03)
			return AN_PPP_MALFORMED;
		out->addr_ctrl = true;
		off = 2;
	}
	if ((an = layer_need(off + 1, caplen, len, AN_PPP_TRUNCATED, AN_PPP_MALFORMED)) != AN_NONE)
		return an;
	if (p[off] & 1) {
		/* Compressed: the high byte 0x00 was left out. */
		out->pfc = true;
		out->protocol = p[off];
		off += 1;
	} else {
		if ((an = layer_need(off + 2, caplen, len, AN_PPP_TRUNCATED, AN_PPP_MALFORMED)) != AN_NONE)
			return an;
		out->protocol = (uint16_t)(p[off] << 8 | p[off + 1]);
		/* The low byte of a protocol number is always odd (RFC 1661 §2). */
		if (!(out->protocol & 1))
			return AN_PPP_MALFORMED;
		off += 2;
	}
	out->kind = ppp_kind_of(out->protocol);
	out->payload = p + off;
	out->payload_len = (uint32_t)(len - off);
	out->payload_caplen = (uint32_t)(caplen - off);

	if (is_control(out->kind) && out->payload_len < 4)
		return AN_PPP_MALFORMED;
	if (is_control(out->kind) && out->payload_caplen >= 4) {
		struct cursor c = cur_init(out->payload, out->payload_caplen);
		out->has_code = true;
		out->code = cur_u8(&c);
		out->id = cur_u8(&c);
		out->cp_len = cur_u16(&c);
		if (out->cp_len < 4 || out->cp_len > out->payload_len)
			return AN_PPP_MALFORMED;
	}
	return AN_NONE;
}
