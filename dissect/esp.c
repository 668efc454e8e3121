/* ESP header, UDP-encapsulation classification and the plaintext trailer. */
#include <string.h>

#include "dissect/cursor.h"
#include "dissect/esp.h"
#include "dissect/layer.h"

enum anomaly esp_parse(const uint8_t *p, size_t caplen, size_t len, struct esp_info *out)
{
	enum anomaly an;

	memset(out, 0, sizeof *out);
	out->p = p;
	out->len = (uint32_t)len;
	out->caplen = (uint32_t)layer_min(caplen, len);
	if ((an = layer_need(8, caplen, len, AN_ESP_TRUNCATED, AN_ESP_MALFORMED)) != AN_NONE)
		return an;
	struct cursor c = cur_init(p, caplen);
	out->spi = cur_u32(&c);
	out->seq = cur_u32(&c);
	return AN_NONE;
}

enum anomaly natt_classify(const uint8_t *p, size_t caplen, size_t len, enum natt_kind *kind)
{
	*kind = NATT_ESP;
	if (len == 1) {
		/* Nothing else is one byte long; even an uncaptured byte is a keepalive. */
		*kind = NATT_KEEPALIVE;
		return caplen >= 1 && p[0] != 0xff ? AN_ESP_MALFORMED : AN_NONE;
	}
	enum anomaly an = layer_need(4, caplen, len, AN_ESP_TRUNCATED, AN_ESP_MALFORMED);
	if (an != AN_NONE)
		return an;
	if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0)
		*kind = NATT_IKE;
	return AN_NONE;
}

enum anomaly esp_trailer_parse(const uint8_t *plain, size_t len, uint8_t *next_header,
			       size_t *payload_len, bool *pad_ok)
{
	struct cursor c = cur_init(plain, len);

	*next_header = cur_tail_u8(&c);
	uint8_t pad_len = cur_tail_u8(&c);
	const uint8_t *pad = cur_take_tail(&c, pad_len);
	*payload_len = 0;
	*pad_ok = false;
	if (c.err)
		return AN_ESP_MALFORMED;
	*payload_len = cur_left(&c);
	*pad_ok = true;
	for (size_t i = 0; i < pad_len; i++)
		if (pad[i] != (uint8_t)(i + 1))
			*pad_ok = false;
	return AN_NONE;
}
