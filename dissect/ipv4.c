/* IPv4 header (RFC 791). */
#include <string.h>

#include "dissect/cursor.h"
#include "dissect/ip.h"
#include "dissect/layer.h"

enum anomaly ipv4_parse(const uint8_t *p, size_t caplen, size_t wirelen, bool inner,
			struct ip_info *out)
{
	enum anomaly trunc = inner ? AN_INNER_IP_TRUNCATED : AN_IP_TRUNCATED;
	enum anomaly malf = inner ? AN_INNER_IP_MALFORMED : AN_IP_MALFORMED;
	enum anomaly an;

	memset(out, 0, sizeof *out);
	out->version = 4;
	if ((an = layer_need(20, caplen, wirelen, trunc, malf)) != AN_NONE) {
		/* A cut header still says its version, if it has one byte. */
		if (caplen >= 1 && p[0] >> 4 != 4)
			return malf;
		return an;
	}

	struct cursor c = cur_init(p, caplen);
	uint8_t vihl = cur_u8(&c);
	if (vihl >> 4 != 4)
		return malf;
	uint32_t hdr_len = (uint32_t)(vihl & 0x0f) * 4;
	cur_skip(&c, 1); /* DSCP/ECN */
	uint32_t total = cur_u16(&c);
	uint16_t id = cur_u16(&c);
	uint16_t frag = cur_u16(&c);
	out->ttl = cur_u8(&c);
	out->proto = cur_u8(&c);
	cur_skip(&c, 2); /* checksum: not ours to judge (offload leaves it zero) */
	out->src.family = out->dst.family = 4;
	cur_copy(&c, out->src.b, 4);
	cur_copy(&c, out->dst.b, 4);

	/* Linux captures of TSO/GSO-offloaded output (BIG TCP too, past 64 KiB)
	 * carry total length 0; like Wireshark, take the frame's length then
	 * (outer packets only). */
	if (total == 0 && !inner && wirelen >= hdr_len)
		total = (uint32_t)layer_min(wirelen, UINT32_MAX);

	out->hdr_len = hdr_len;
	out->total_len = total;
	out->frag_id = id;
	out->more_frags = (frag & 0x2000) != 0;
	out->frag_offset = (uint32_t)(frag & 0x1fff) * 8;
	out->is_fragment = out->more_frags || out->frag_offset != 0;

	if (hdr_len < 20 || total < hdr_len || total > wirelen)
		return malf;
	if (caplen < hdr_len)
		return trunc;

	out->payload = p + hdr_len;
	out->payload_len = total - hdr_len;
	out->payload_caplen = (uint32_t)(layer_min(caplen, total) - hdr_len);
	return AN_NONE;
}

enum anomaly ip_parse(const uint8_t *p, size_t caplen, size_t wirelen, bool inner,
		      struct ip_info *out)
{
	enum anomaly trunc = inner ? AN_INNER_IP_TRUNCATED : AN_IP_TRUNCATED;
	enum anomaly malf = inner ? AN_INNER_IP_MALFORMED : AN_IP_MALFORMED;
	enum anomaly an;

	if ((an = layer_need(1, caplen, wirelen, trunc, malf)) != AN_NONE) {
		memset(out, 0, sizeof *out);
		return an;
	}
	switch (p[0] >> 4) {
	case 4:
		return ipv4_parse(p, caplen, wirelen, inner, out);
	case 6:
		return ipv6_parse(p, caplen, wirelen, inner, out);
	default:
		memset(out, 0, sizeof *out);
		return malf;
	}
}
