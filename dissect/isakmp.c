/* ISAKMP header and the generic payload chain. */
#include <string.h>

#include "dissect/isakmp.h"

enum anomaly isakmp_parse_header(const uint8_t *p, size_t caplen, struct isakmp_header *h)
{
	struct cursor c = cur_init(p, caplen);

	memset(h, 0, sizeof *h);
	cur_copy(&c, h->spi_i, 8);
	cur_copy(&c, h->spi_r, 8);
	h->next_payload = cur_u8(&c);
	uint8_t version = cur_u8(&c);
	h->major_version = version >> 4;
	h->minor_version = version & 0x0f;
	h->exchange_type = cur_u8(&c);
	h->flags = cur_u8(&c);
	h->message_id = cur_u32(&c);
	h->length = cur_u32(&c);
	if (c.err)
		return AN_IKE_TRUNCATED;
	if ((h->major_version != 1 && h->major_version != 2) || h->length < ISAKMP_HDR_LEN)
		return AN_IKE_MALFORMED;
	return AN_NONE;
}

void isakmp_iter_init(struct isakmp_iter *it, uint8_t first, bool v2, const uint8_t *chain,
		      size_t caplen, size_t len)
{
	memset(it, 0, sizeof *it);
	it->c = cur_init(chain, caplen < len ? caplen : len);
	it->wire_left = len;
	it->next = first;
	it->v2 = v2;
}

enum anomaly isakmp_iter_msg(struct isakmp_iter *it, const uint8_t *msg, size_t caplen,
			     size_t len, struct isakmp_header *h)
{
	enum anomaly an = isakmp_parse_header(msg, caplen, h);

	isakmp_iter_init(it, ISAKMP_NP_NONE, false, msg, 0, 0);
	if (an != AN_NONE) {
		it->anomaly = an;
		return an;
	}
	if (len < ISAKMP_HDR_LEN) {
		it->anomaly = AN_IKE_MALFORMED;
		return AN_IKE_MALFORMED;
	}
	size_t msg_len = h->length;
	if (msg_len > len) {
		an = AN_IKE_MALFORMED;
		msg_len = len;
	}
	isakmp_iter_init(it, h->next_payload, h->major_version == 2, msg + ISAKMP_HDR_LEN,
			 caplen - ISAKMP_HDR_LEN, msg_len - ISAKMP_HDR_LEN);
	if (h->major_version == 1 && (h->flags & ISAKMP_FLAG_ENC)) {
		it->encrypted = true;
		it->next = ISAKMP_NP_NONE;
	}
	return an;
}

static bool stop(struct isakmp_iter *it, enum anomaly an)
{
	it->anomaly = an;
	it->next = ISAKMP_NP_NONE;
	return false;
}

bool isakmp_iter_next(struct isakmp_iter *it, struct isakmp_payload *pl)
{
	memset(pl, 0, sizeof *pl);
	if (it->next == ISAKMP_NP_NONE)
		return false;
	if (it->count == ISAKMP_MAX_PAYLOADS)
		return stop(it, AN_IKE_MALFORMED);
	/* The generic header: next payload, critical/reserved, length. */
	if (it->wire_left < 4)
		return stop(it, AN_IKE_MALFORMED);
	if (cur_left(&it->c) < 4)
		return stop(it, AN_IKE_TRUNCATED);
	const uint8_t *p = it->c.pos;
	uint16_t length = (uint16_t)(p[2] << 8 | p[3]);
	if (length < 4 || length > it->wire_left)
		return stop(it, AN_IKE_MALFORMED);
	if (length > cur_left(&it->c))
		return stop(it, AN_IKE_TRUNCATED);
	cur_skip(&it->c, length);
	it->wire_left -= length;
	it->count++;

	pl->type = it->next;
	pl->next = p[0];
	pl->critical = it->v2 && (p[1] & 0x80);
	pl->v2 = it->v2;
	pl->length = length;
	pl->body = p + 4;
	pl->body_len = (uint16_t)(length - 4);

	/* Past SK the bytes are ciphertext; its next field names the inner chain. */
	if (it->v2 && (pl->type == IKEV2_NP_SK || pl->type == IKEV2_NP_SKF))
		it->next = ISAKMP_NP_NONE;
	else
		it->next = pl->next;
	return true;
}

const char *isakmp_exchange_name(uint8_t major_version, uint8_t exchange_type)
{
	switch (exchange_type) {
	case ISAKMP_X_MAIN: return "Main Mode";
	case ISAKMP_X_AGGRESSIVE: return "Aggressive Mode";
	case ISAKMP_X_INFO: return "Informational";
	case ISAKMP_X_TRANSACTION: return "Transaction";
	case ISAKMP_X_QUICK: return "Quick Mode";
	case IKEV2_X_SA_INIT: return "IKE_SA_INIT";
	case IKEV2_X_AUTH: return "IKE_AUTH";
	case IKEV2_X_CREATE_CHILD: return "CREATE_CHILD_SA";
	case IKEV2_X_INFO: return major_version == 2 ? "INFORMATIONAL" : "other";
	default: return "other";
	}
}

const char *isakmp_payload_name(uint8_t type)
{
	switch (type) {
	case ISAKMP_NP_NONE: return "none";
	case ISAKMP_NP_SA: return "SA";
	case ISAKMP_NP_P: return "Proposal";
	case ISAKMP_NP_T: return "Transform";
	case ISAKMP_NP_KE: return "KE";
	case ISAKMP_NP_ID: return "ID";
	case ISAKMP_NP_CERT: return "CERT";
	case ISAKMP_NP_CR: return "CR";
	case ISAKMP_NP_HASH: return "HASH";
	case ISAKMP_NP_SIG: return "SIG";
	case ISAKMP_NP_NONCE: return "Nonce";
	case ISAKMP_NP_N: return "Notification";
	case ISAKMP_NP_D: return "Delete";
	case ISAKMP_NP_VID: return "Vendor ID";
	case ISAKMP_NP_ATTR: return "Attributes";
	case ISAKMP_NP_NATD:
	case ISAKMP_NP_NATD_DRAFT: return "NAT-D";
	case ISAKMP_NP_NATOA:
	case ISAKMP_NP_NATOA_DRAFT: return "NAT-OA";
	case ISAKMP_NP_FRAG: return "Fragment";
	case IKEV2_NP_SA: return "SA";
	case IKEV2_NP_KE: return "KE";
	case IKEV2_NP_IDI: return "IDi";
	case IKEV2_NP_IDR: return "IDr";
	case IKEV2_NP_CERT: return "CERT";
	case IKEV2_NP_CERTREQ: return "CERTREQ";
	case IKEV2_NP_AUTH: return "AUTH";
	case IKEV2_NP_NONCE: return "Nonce";
	case IKEV2_NP_N: return "Notify";
	case IKEV2_NP_D: return "Delete";
	case IKEV2_NP_V: return "Vendor ID";
	case IKEV2_NP_TSI: return "TSi";
	case IKEV2_NP_TSR: return "TSr";
	case IKEV2_NP_SK: return "Encrypted";
	case IKEV2_NP_CP: return "CP";
	case IKEV2_NP_EAP: return "EAP";
	case IKEV2_NP_SKF: return "Encrypted Fragment";
	default: return "unknown";
	}
}
