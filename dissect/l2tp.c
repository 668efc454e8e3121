/* L2TPv2 header. */
#include <string.h>

#include "dissect/cursor.h"
#include "dissect/l2tp.h"
#include "dissect/layer.h"

#define L2TP_T 0x8000
#define L2TP_L 0x4000
#define L2TP_S 0x0800
#define L2TP_O 0x0200
#define L2TP_P 0x0100

enum anomaly l2tp_parse(const uint8_t *p, size_t caplen, size_t len, struct l2tp_info *out)
{
	enum anomaly an;

	memset(out, 0, sizeof *out);
	caplen = layer_min(caplen, len);
	if ((an = layer_need(2, caplen, len, AN_L2TP_TRUNCATED, AN_L2TP_MALFORMED)) != AN_NONE)
		return an;
	uint16_t flags = (uint16_t)(p[0] << 8 | p[1]);
	out->flags = flags;
	out->control = flags & L2TP_T;
	out->has_length = flags & L2TP_L;
	out->has_seq = flags & L2TP_S;
	out->has_offset = flags & L2TP_O;
	out->priority = flags & L2TP_P;
	out->version = flags & 0x0f;
	if (out->version != 2)
		return AN_L2TP_MALFORMED;
	if (out->control && (!out->has_length || !out->has_seq || out->has_offset))
		return AN_L2TP_MALFORMED;

	size_t need = 2 + (out->has_length ? 2 : 0) + 4 + (out->has_seq ? 4 : 0) +
		      (out->has_offset ? 2 : 0);
	if ((an = layer_need(need, caplen, len, AN_L2TP_TRUNCATED, AN_L2TP_MALFORMED)) != AN_NONE)
		return an;
	struct cursor c = cur_init(p + 2, caplen - 2);
	if (out->has_length)
		out->length = cur_u16(&c);
	out->tunnel_id = cur_u16(&c);
	out->session_id = cur_u16(&c);
	if (out->has_seq) {
		out->ns = cur_u16(&c);
		out->nr = cur_u16(&c);
	}
	if (out->has_offset)
		out->offset_size = cur_u16(&c);

	size_t msg_len = len;
	if (out->has_length) {
		if (out->length < need || out->length > len)
			return AN_L2TP_MALFORMED;
		msg_len = out->length;
	}
	size_t hdr = need + out->offset_size;
	if ((an = layer_need(hdr, caplen, msg_len, AN_L2TP_TRUNCATED, AN_L2TP_MALFORMED)) != AN_NONE)
		return an;
	out->hdr_len = (uint32_t)hdr;
	out->payload = p + hdr;
	out->payload_len = (uint32_t)(msg_len - hdr);
	out->payload_caplen = (uint32_t)(layer_min(caplen, msg_len) - hdr);

	if (out->control) {
		if (out->payload_len == 0) {
			out->zlb = true;
		} else if (out->payload_caplen >= 8) {
			/* First AVP: M/H/length(10 bits), vendor 0, type 0 = Message Type. */
			struct cursor a = cur_init(out->payload, out->payload_caplen);
			uint16_t mhlen = cur_u16(&a);
			uint16_t vendor = cur_u16(&a);
			uint16_t type = cur_u16(&a);
			uint16_t value = cur_u16(&a);
			if ((mhlen & 0x03ff) < 6 || (mhlen & 0x03ff) > out->payload_len)
				return AN_L2TP_MALFORMED;
			if (vendor == 0 && type == 0 && !(mhlen & 0x4000))
				out->msg_type = value;
		}
	}
	return AN_NONE;
}
