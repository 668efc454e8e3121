/* UDP header (RFC 768). */
#include <string.h>

#include "dissect/cursor.h"
#include "dissect/layer.h"
#include "dissect/udp.h"

enum anomaly udp_parse(const uint8_t *p, size_t caplen, size_t wirelen, bool inner,
		       struct udp_info *out)
{
	enum anomaly trunc = inner ? AN_INNER_UDP_TRUNCATED : AN_UDP_TRUNCATED;
	enum anomaly malf = inner ? AN_INNER_UDP_MALFORMED : AN_UDP_MALFORMED;
	enum anomaly an;

	memset(out, 0, sizeof *out);
	if ((an = layer_need(8, caplen, wirelen, trunc, malf)) != AN_NONE)
		return an;

	struct cursor c = cur_init(p, caplen);
	out->sport = cur_u16(&c);
	out->dport = cur_u16(&c);
	out->len = cur_u16(&c);
	size_t len = out->len;
	/* Length 0 over an IP payload too big for 16 bits: a jumbogram (RFC 2675
	 * §4) or GSO output; the IP length is the UDP length then. */
	if (len == 0 && wirelen > 65535)
		len = layer_min(wirelen, UINT32_MAX);
	if (len < 8 || len > wirelen)
		return malf;
	out->payload = p + 8;
	out->payload_len = (uint32_t)(len - 8);
	out->payload_caplen = (uint32_t)(layer_min(caplen, len) - 8);
	return AN_NONE;
}
