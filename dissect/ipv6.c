/* IPv6 header (RFC 8200) and the extension headers an analyzer must step over
 * to reach UDP or ESP: hop-by-hop (0), routing (43), destination options (60)
 * and the fragment header (44).  AH (51) is left as the upper layer. */
#include <string.h>

#include "dissect/cursor.h"
#include "dissect/ip.h"
#include "dissect/layer.h"

enum { IP6_HOPOPTS = 0, IP6_ROUTING = 43, IP6_FRAGMENT = 44, IP6_DSTOPTS = 60 };
#define IP6_MAX_EXT 16 /* more than any sane packet; a bound for hostile ones */

static bool is_skippable(uint8_t nh)
{
	return nh == IP6_HOPOPTS || nh == IP6_ROUTING || nh == IP6_DSTOPTS;
}

/* Steps over extension headers from p (caplen captured, len claimed).  Stops at
 * the first non-extension header, or after a fragment header (filling the
 * fragment fields of `ip` when it is given).  Returns the bytes consumed. */
static size_t walk_ext(uint8_t *proto, const uint8_t *p, size_t caplen, size_t len,
		       bool inner, enum anomaly *an, struct ip_info *ip)
{
	enum anomaly trunc = inner ? AN_INNER_IP_TRUNCATED : AN_IP_TRUNCATED;
	enum anomaly malf = inner ? AN_INNER_IP_MALFORMED : AN_IP_MALFORMED;
	size_t off = 0;

	*an = AN_NONE;
	for (int n = 0;; n++) {
		uint8_t nh = *proto;
		size_t ext_len;

		if (n == IP6_MAX_EXT && (is_skippable(nh) || (nh == IP6_FRAGMENT && ip))) {
			*an = malf; /* a chain that long is not a packet */
			return off;
		}
		if (is_skippable(nh)) {
			if ((*an = layer_need(off + 2, caplen, len, trunc, malf)) != AN_NONE)
				return off;
			ext_len = ((size_t)p[off + 1] + 1) * 8;
		} else if (nh == IP6_FRAGMENT && ip) {
			ext_len = 8;
		} else {
			return off;
		}
		if ((*an = layer_need(off + ext_len, caplen, len, trunc, malf)) != AN_NONE)
			return off;
		*proto = p[off];
		if (nh == IP6_FRAGMENT) {
			struct cursor c = cur_init(p + off + 2, 6);
			uint16_t offflags = cur_u16(&c);
			ip->frag_id = cur_u32(&c);
			ip->frag_offset = offflags & 0xfff8u;
			ip->more_frags = (offflags & 1) != 0;
			/* An atomic fragment (offset 0, no more) is a whole packet. */
			ip->is_fragment = ip->more_frags || ip->frag_offset != 0;
			off += ext_len;
			if (ip->is_fragment)
				return off; /* the rest is fragment data */
			continue;
		}
		off += ext_len;
	}
}

size_t ipv6_skip_ext(uint8_t *proto, const uint8_t *p, size_t caplen, size_t len,
		     bool inner, enum anomaly *an)
{
	return walk_ext(proto, p, caplen, len, inner, an, NULL);
}

enum anomaly ipv6_parse(const uint8_t *p, size_t caplen, size_t wirelen, bool inner,
			struct ip_info *out)
{
	enum anomaly trunc = inner ? AN_INNER_IP_TRUNCATED : AN_IP_TRUNCATED;
	enum anomaly malf = inner ? AN_INNER_IP_MALFORMED : AN_IP_MALFORMED;
	enum anomaly an;

	memset(out, 0, sizeof *out);
	out->version = 6;
	if ((an = layer_need(40, caplen, wirelen, trunc, malf)) != AN_NONE) {
		if (caplen >= 1 && p[0] >> 4 != 6)
			return malf;
		return an;
	}

	struct cursor c = cur_init(p, caplen);
	uint32_t vtcfl = cur_u32(&c);
	if (vtcfl >> 28 != 6)
		return malf;
	uint32_t plen = cur_u16(&c);
	uint8_t nh = cur_u8(&c);
	out->ttl = cur_u8(&c);
	out->src.family = out->dst.family = 6;
	cur_copy(&c, out->src.b, 16);
	cur_copy(&c, out->dst.b, 16);

	/* Payload length 0 is a jumbogram (RFC 2675) or TSO/BIG TCP output: take
	 * the frame's length (outer packets only, as for IPv4). */
	if (plen == 0 && !inner && nh != 59)
		plen = (uint32_t)layer_min(wirelen - 40, UINT32_MAX - 40);
	out->total_len = 40 + plen;
	out->proto = nh;
	if (out->total_len > wirelen)
		return malf;

	size_t cap = layer_min(caplen, out->total_len) - 40;
	size_t ext = walk_ext(&out->proto, p + 40, cap, plen, inner, &an, out);
	if (an != AN_NONE)
		return an;

	out->hdr_len = (uint32_t)(40 + ext);
	out->payload = p + out->hdr_len;
	out->payload_len = out->total_len - out->hdr_len;
	out->payload_caplen = (uint32_t)(cap - ext);
	return AN_NONE;
}
