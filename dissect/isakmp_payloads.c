/* The small ISAKMP payloads: KE, Nonce, ID, Notify, Delete, SK/SKF. */
#include <string.h>

#include "dissect/isakmp.h"

enum anomaly isakmp_ke_parse(const struct isakmp_payload *pl, struct isakmp_ke *out)
{
	struct cursor c = cur_init(pl->body, pl->body_len);

	memset(out, 0, sizeof *out);
	if (pl->v2) {
		out->group = cur_u16(&c);
		cur_skip(&c, 2);
		if (c.err)
			return AN_IKE_MALFORMED;
	}
	out->data = c.pos;
	out->len = (uint16_t)cur_left(&c);
	return AN_NONE;
}

enum anomaly isakmp_nonce_parse(const struct isakmp_payload *pl, struct isakmp_blob *out)
{
	*out = isakmp_blob(pl);
	size_t min = pl->v2 ? 16 : 8;
	return out->len < min || out->len > 256 ? AN_IKE_MALFORMED : AN_NONE;
}

enum anomaly isakmp_id_parse(const struct isakmp_payload *pl, struct isakmp_id *out)
{
	struct cursor c = cur_init(pl->body, pl->body_len);

	memset(out, 0, sizeof *out);
	out->type = cur_u8(&c);
	if (pl->v2) {
		cur_skip(&c, 3);
	} else {
		out->protocol = cur_u8(&c);
		out->port = cur_u16(&c);
	}
	if (c.err)
		return AN_IKE_MALFORMED;
	out->data = c.pos;
	out->len = (uint16_t)cur_left(&c);
	return AN_NONE;
}

static uint32_t spi32_of(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum anomaly isakmp_notify_parse(const struct isakmp_payload *pl, struct isakmp_notify *out)
{
	struct cursor c = cur_init(pl->body, pl->body_len);

	memset(out, 0, sizeof *out);
	if (!pl->v2)
		out->doi = cur_u32(&c);
	out->protocol = cur_u8(&c);
	out->spi_size = cur_u8(&c);
	out->type = cur_u16(&c);
	const uint8_t *spi = cur_take(&c, out->spi_size);
	if (c.err)
		return AN_IKE_MALFORMED;
	memcpy(out->spi, spi, out->spi_size < ISAKMP_MAX_SPI ? out->spi_size : ISAKMP_MAX_SPI);
	if (out->spi_size == 4)
		out->spi32 = spi32_of(spi);
	out->data = c.pos;
	out->data_len = (uint16_t)cur_left(&c);

	if (!pl->v2 && out->type == ISAKMP_N_RESPONDER_LIFETIME) {
		/* Its data are SA life attributes, numbered as in the SA they shorten. */
		bool phase1 = out->protocol == ISAKMP_PROTO_ISAKMP;
		enum anomaly an = ikev1_attrs_parse(out->data, out->data_len, phase1, &out->lifetime);
		if (an != AN_NONE)
			return an;
		out->has_lifetime = true;
	}
	return AN_NONE;
}

enum anomaly isakmp_delete_parse(const struct isakmp_payload *pl, struct isakmp_delete *out)
{
	struct cursor c = cur_init(pl->body, pl->body_len);

	memset(out, 0, sizeof *out);
	if (!pl->v2)
		out->doi = cur_u32(&c);
	out->protocol = cur_u8(&c);
	out->spi_size = cur_u8(&c);
	out->n_spis = cur_u16(&c);
	if (c.err)
		return AN_IKE_MALFORMED;
	out->spis = c.pos;
	const uint8_t *all = cur_take(&c, (size_t)out->n_spis * out->spi_size);
	if (!all)
		return AN_IKE_MALFORMED;
	for (unsigned i = 0; i < out->n_spis && i < ISAKMP_MAX_DELETE_SPIS; i++) {
		const uint8_t *s = all + (size_t)i * out->spi_size;
		memcpy(out->spi[i], s, out->spi_size < ISAKMP_MAX_SPI ? out->spi_size : ISAKMP_MAX_SPI);
		if (out->spi_size == 4)
			out->spi32[i] = spi32_of(s);
		out->n_stored++;
	}
	return AN_NONE;
}

enum anomaly ikev2_sk_parse(const struct isakmp_payload *pl, struct ikev2_sk *out)
{
	struct cursor c = cur_init(pl->body, pl->body_len);

	memset(out, 0, sizeof *out);
	out->first_inner = pl->next;
	if (pl->type == IKEV2_NP_SKF) {
		out->fragment = true;
		out->frag_number = cur_u16(&c);
		out->frag_total = cur_u16(&c);
		if (c.err || out->frag_number == 0 || out->frag_number > out->frag_total)
			return AN_IKE_MALFORMED;
		/* Only the first fragment names the inner chain (RFC 7383 §2.5). */
		if (out->frag_number != 1)
			out->first_inner = ISAKMP_NP_NONE;
	}
	out->data = c.pos;
	out->len = (uint16_t)cur_left(&c);
	return AN_NONE;
}

enum anomaly ikev2_ts_parse(const struct isakmp_payload *pl, struct ikev2_ts_list *out)
{
	struct cursor c = cur_init(pl->body, pl->body_len);

	memset(out, 0, sizeof *out);
	out->n_ts = cur_u8(&c);
	cur_skip(&c, 3);
	if (c.err)
		return AN_IKE_MALFORMED;
	for (unsigned i = 0; i < out->n_ts; i++) {
		struct ikev2_ts t = { 0 };
		t.type = cur_u8(&c);
		t.ip_proto = cur_u8(&c);
		uint16_t sel_len = cur_u16(&c);
		if (c.err || sel_len < 8)
			return AN_IKE_MALFORMED;
		struct cursor s = cur_sub(&c, sel_len - 4u);
		t.start_port = cur_u16(&s);
		t.end_port = cur_u16(&s);
		size_t alen = t.type == IKEV2_TS_IPV4_RANGE ? 4 : t.type == IKEV2_TS_IPV6_RANGE ? 16 : 0;
		if (alen) {
			if (sel_len != 8 + 2 * alen)
				return AN_IKE_MALFORMED;
			t.start.family = t.end.family = alen == 4 ? 4 : 6;
			cur_copy(&s, t.start.b, alen);
			cur_copy(&s, t.end.b, alen);
		}
		if (c.err || s.err)
			return AN_IKE_MALFORMED;
		if (out->n_stored < IKEV2_MAX_TS)
			out->ts[out->n_stored++] = t;
	}
	return AN_NONE;
}
