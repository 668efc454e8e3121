/* TCP header and the options a throughput analysis cares about. */
#include <string.h>

#include "dissect/cursor.h"
#include "dissect/layer.h"
#include "dissect/tcp.h"

static void options(struct cursor c, struct tcp_info *out)
{
	while (cur_left(&c) > 0) {
		uint8_t kind = cur_u8(&c);
		if (kind == 0)
			return;      /* end of options */
		if (kind == 1)
			continue;    /* no-op */
		uint8_t olen = cur_u8(&c);
		if (c.err || olen < 2)
			return;      /* a broken option list ends the decoding, not the packet */
		struct cursor o = cur_sub(&c, olen - 2u);
		if (o.err)
			return;
		switch (kind) {
		case 2:
			if (olen == 4)
				out->mss = cur_u16(&o);
			break;
		case 3:
			if (olen == 3)
				out->wscale = (int8_t)cur_u8(&o);
			break;
		case 4:
			out->sack_permitted = true;
			break;
		case 8:
			if (olen == 10) {
				out->has_timestamps = true;
				out->ts_val = cur_u32(&o);
				out->ts_ecr = cur_u32(&o);
			}
			break;
		default:
			break;
		}
	}
}

enum anomaly tcp_parse(const uint8_t *p, size_t caplen, size_t len, struct tcp_info *out)
{
	enum anomaly an;

	memset(out, 0, sizeof *out);
	out->wscale = -1;
	caplen = layer_min(caplen, len);
	if ((an = layer_need(20, caplen, len, AN_TCP_TRUNCATED, AN_TCP_MALFORMED)) != AN_NONE)
		return an;
	struct cursor c = cur_init(p, caplen);
	out->sport = cur_u16(&c);
	out->dport = cur_u16(&c);
	out->seq = cur_u32(&c);
	out->ack = cur_u32(&c);
	uint8_t off = cur_u8(&c);
	out->flags = cur_u8(&c);
	out->window = cur_u16(&c);
	cur_skip(&c, 4); /* checksum, urgent pointer */
	out->hdr_len = (uint8_t)((off >> 4) * 4);
	if (out->hdr_len < 20 || out->hdr_len > len)
		return AN_TCP_MALFORMED;
	out->payload_len = (uint32_t)(len - out->hdr_len);
	if (caplen < out->hdr_len)
		return AN_TCP_TRUNCATED;
	options(cur_init(p + 20, out->hdr_len - 20u), out);
	return AN_NONE;
}
