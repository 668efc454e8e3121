/* SA payloads: IKEv1 (RFC 2408 §3.4-3.6, attributes RFC 2407 §4.5 / RFC 2409
 * App. A) and IKEv2 (RFC 7296 §3.3).  Proposals and transforms are small
 * generic-header chains inside the SA body, walked with sub-cursors. */
#include <string.h>

#include "dissect/isakmp.h"

#define MAX_SUBSTRUCTS 64 /* proposals per SA, transforms per proposal */

/* Phase 1 (ISAKMP) attribute numbers */
enum { A1_ENCR = 1, A1_HASH = 2, A1_AUTH = 3, A1_GROUP = 4, A1_LIFE_TYPE = 11,
       A1_LIFE_DURATION = 12, A1_KEY_LENGTH = 14 };
/* Phase 2 (IPsec DOI) attribute numbers */
enum { A2_LIFE_TYPE = 1, A2_LIFE_DURATION = 2, A2_GROUP_DESC = 3, A2_ENCAP = 4,
       A2_AUTH_ALG = 5, A2_KEY_LENGTH = 6 };
enum { LIFE_SECONDS = 1, LIFE_KBYTES = 2 };
#define IKEV2_ATTR_KEY_LENGTH 14

enum anomaly ikev1_attrs_parse(const uint8_t *attrs, size_t len, bool phase1,
			       struct ikev1_attrs *out)
{
	struct cursor c = cur_init(attrs, len);
	uint64_t life_type = 0; /* the Life Type waiting for its Duration */

	memset(out, 0, sizeof *out);
	while (cur_left(&c) > 0) {
		uint16_t af_type = cur_u16(&c);
		uint16_t type = af_type & 0x7fff;
		uint64_t value = 0;
		size_t vlen = 2;

		if (af_type & 0x8000) {
			value = cur_u16(&c);
		} else {
			vlen = cur_u16(&c);
			const uint8_t *v = cur_take(&c, vlen);
			for (size_t i = 0; v && i < vlen && i < 8; i++)
				value = value << 8 | v[i];
		}
		if (c.err)
			return AN_IKE_MALFORMED;
		out->n_attrs++;

		bool is_life_type = type == (phase1 ? A1_LIFE_TYPE : A2_LIFE_TYPE);
		bool is_duration = type == (phase1 ? A1_LIFE_DURATION : A2_LIFE_DURATION);
		if (is_duration) {
			if (vlen == 0 || vlen > 8)
				return AN_IKE_MALFORMED;
			if (life_type == LIFE_SECONDS) {
				out->has_life_seconds = true;
				out->life_seconds = value;
			} else if (life_type == LIFE_KBYTES) {
				out->has_life_kbytes = true;
				out->life_kbytes = value;
			} else {
				out->n_unknown++;
			}
			life_type = 0;
			continue;
		}
		if (is_life_type) {
			life_type = value;
			continue;
		}
		if (vlen > 2) {
			out->n_unknown++; /* a variable value where a number belongs (prime, ...) */
			continue;
		}
		uint16_t v16 = (uint16_t)value;
		if (phase1) {
			switch (type) {
			case A1_ENCR: out->encr = v16; break;
			case A1_HASH: out->hash = v16; break;
			case A1_AUTH: out->auth_method = v16; break;
			case A1_GROUP: out->group = v16; break;
			case A1_KEY_LENGTH: out->key_length = v16; break;
			default: out->n_unknown++; break;
			}
		} else {
			switch (type) {
			case A2_GROUP_DESC: out->group_desc = v16; break;
			case A2_ENCAP: out->encap_mode = v16; break;
			case A2_AUTH_ALG: out->auth_alg = v16; break;
			case A2_KEY_LENGTH: out->key_length = v16; break;
			default: out->n_unknown++; break;
			}
		}
	}
	return AN_NONE;
}

/* One generic substructure (proposal or transform) from c: its next field,
 * and a sub-cursor over its body.  False if malformed. */
static bool substruct(struct cursor *c, uint8_t *next, struct cursor *body)
{
	*next = cur_u8(c);
	cur_skip(c, 1);
	uint16_t length = cur_u16(c);
	if (c->err || length < 4)
		return false;
	*body = cur_sub(c, length - 4u);
	return !c->err;
}

static void take_spi(struct cursor *c, uint8_t spi_size, uint8_t *spi, uint32_t *spi32)
{
	const uint8_t *p = cur_take(c, spi_size);
	if (!p)
		return;
	memcpy(spi, p, spi_size < ISAKMP_MAX_SPI ? spi_size : ISAKMP_MAX_SPI);
	if (spi_size == 4)
		*spi32 = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static enum anomaly v1_transforms(struct cursor *c, struct ikev1_proposal *pr)
{
	bool phase1 = pr->protocol == ISAKMP_PROTO_ISAKMP;

	for (int n = 0; cur_left(c) > 0; n++) {
		uint8_t next;
		struct cursor body;
		if (n == MAX_SUBSTRUCTS || !substruct(c, &next, &body))
			return AN_IKE_MALFORMED;
		uint8_t number = cur_u8(&body);
		uint8_t id = cur_u8(&body);
		cur_skip(&body, 2);
		if (body.err)
			return AN_IKE_MALFORMED;
		pr->transforms_seen++;
		if (pr->transforms_stored < IKEV1_MAX_TRANSFORMS) {
			struct ikev1_transform *t = &pr->t[pr->transforms_stored++];
			t->number = number;
			t->id = id;
			enum anomaly an = ikev1_attrs_parse(body.pos, cur_left(&body), phase1, &t->attrs);
			if (an != AN_NONE)
				return an;
		}
		if (next == ISAKMP_NP_NONE)
			break;
	}
	return AN_NONE;
}

enum anomaly ikev1_sa_parse(const struct isakmp_payload *pl, struct ikev1_sa *out)
{
	struct cursor c = cur_init(pl->body, pl->body_len);

	memset(out, 0, sizeof *out);
	out->doi = cur_u32(&c);
	out->situation = cur_u32(&c);
	if (c.err)
		return AN_IKE_MALFORMED;
	for (int n = 0; cur_left(&c) > 0; n++) {
		uint8_t next;
		struct cursor body;
		if (n == MAX_SUBSTRUCTS || !substruct(&c, &next, &body))
			return AN_IKE_MALFORMED;
		struct ikev1_proposal tmp, *pr = &tmp;
		out->proposals_seen++;
		if (out->proposals_stored < IKEV1_MAX_PROPOSALS)
			pr = &out->p[out->proposals_stored++];
		memset(pr, 0, sizeof *pr);
		pr->number = cur_u8(&body);
		pr->protocol = cur_u8(&body);
		pr->spi_size = cur_u8(&body);
		pr->n_transforms = cur_u8(&body);
		if (pr->spi_size > ISAKMP_MAX_SPI)
			return AN_IKE_MALFORMED;
		take_spi(&body, pr->spi_size, pr->spi, &pr->spi32);
		if (body.err)
			return AN_IKE_MALFORMED;
		enum anomaly an = v1_transforms(&body, pr);
		if (an != AN_NONE)
			return an;
		if (next == ISAKMP_NP_NONE)
			break;
	}
	return AN_NONE;
}

static enum anomaly v2_transforms(struct cursor *c, struct ikev2_proposal *pr)
{
	for (int n = 0; cur_left(c) > 0; n++) {
		uint8_t next;
		struct cursor body;
		if (n == MAX_SUBSTRUCTS || !substruct(c, &next, &body))
			return AN_IKE_MALFORMED;
		struct ikev2_transform t = { 0 };
		t.type = cur_u8(&body);
		cur_skip(&body, 1);
		t.id = cur_u16(&body);
		while (!body.err && cur_left(&body) > 0) {
			uint16_t af_type = cur_u16(&body);
			if (af_type & 0x8000) {
				uint16_t v = cur_u16(&body);
				if ((af_type & 0x7fff) == IKEV2_ATTR_KEY_LENGTH)
					t.key_length = v;
			} else {
				cur_skip(&body, cur_u16(&body));
			}
		}
		if (body.err)
			return AN_IKE_MALFORMED;
		pr->transforms_seen++;
		if (pr->transforms_stored < IKEV2_MAX_TRANSFORMS)
			pr->t[pr->transforms_stored++] = t;
		if (next == ISAKMP_NP_NONE)
			break;
	}
	return AN_NONE;
}

enum anomaly ikev2_sa_parse(const struct isakmp_payload *pl, struct ikev2_sa *out)
{
	struct cursor c = cur_init(pl->body, pl->body_len);

	memset(out, 0, sizeof *out);
	for (int n = 0; cur_left(&c) > 0; n++) {
		uint8_t next;
		struct cursor body;
		if (n == MAX_SUBSTRUCTS || !substruct(&c, &next, &body))
			return AN_IKE_MALFORMED;
		struct ikev2_proposal tmp, *pr = &tmp;
		out->proposals_seen++;
		if (out->proposals_stored < IKEV2_MAX_PROPOSALS)
			pr = &out->p[out->proposals_stored++];
		memset(pr, 0, sizeof *pr);
		pr->number = cur_u8(&body);
		pr->protocol = cur_u8(&body);
		pr->spi_size = cur_u8(&body);
		pr->n_transforms = cur_u8(&body);
		if (pr->spi_size > ISAKMP_MAX_SPI)
			return AN_IKE_MALFORMED;
		take_spi(&body, pr->spi_size, pr->spi, &pr->spi32);
		if (body.err)
			return AN_IKE_MALFORMED;
		enum anomaly an = v2_transforms(&body, pr);
		if (an != AN_NONE)
			return an;
		if (next == ISAKMP_NP_NONE)
			break;
	}
	return AN_NONE;
}
