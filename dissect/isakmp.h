/* ISAKMP / IKE (RFC 2408/2409, RFC 7296): the header, an iterator over the
 * generic payload chain, and decoders for the payloads an analyzer of Phase 2
 * rekeys needs.  Decoders fill fixed-size structs: the first N items of each
 * list are stored, the rest only counted.  Nothing allocates; pointers point
 * into the caller's bytes.  The same iterator and decoders work on decrypted
 * payload chains (start the iterator with the header's next-payload type, or
 * for IKEv2 with the SK payload's). */
#ifndef ESPREKEY_ISAKMP_H
#define ESPREKEY_ISAKMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/cursor.h"
#include "dissect/packet.h"

#define ISAKMP_HDR_LEN 28
#define ISAKMP_MAX_PAYLOADS 64   /* a chain longer than this is malformed */
#define ISAKMP_MAX_SPI 16

/* Exchange types */
enum {
	ISAKMP_X_MAIN = 2, ISAKMP_X_AGGRESSIVE = 4, ISAKMP_X_INFO = 5,
	ISAKMP_X_TRANSACTION = 6, ISAKMP_X_QUICK = 32,
	IKEV2_X_SA_INIT = 34, IKEV2_X_AUTH = 35, IKEV2_X_CREATE_CHILD = 36,
	IKEV2_X_INFO = 37,
};

/* Header flags */
#define ISAKMP_FLAG_ENC 0x01        /* v1: everything after the header is encrypted */
#define ISAKMP_FLAG_COMMIT 0x02     /* v1 */
#define ISAKMP_FLAG_AUTHONLY 0x04   /* v1 */
#define IKEV2_FLAG_INITIATOR 0x08
#define IKEV2_FLAG_VERSION 0x10
#define IKEV2_FLAG_RESPONSE 0x20

/* Payload types */
enum {
	ISAKMP_NP_NONE = 0,
	/* IKEv1 */
	ISAKMP_NP_SA = 1, ISAKMP_NP_P = 2, ISAKMP_NP_T = 3, ISAKMP_NP_KE = 4,
	ISAKMP_NP_ID = 5, ISAKMP_NP_CERT = 6, ISAKMP_NP_CR = 7, ISAKMP_NP_HASH = 8,
	ISAKMP_NP_SIG = 9, ISAKMP_NP_NONCE = 10, ISAKMP_NP_N = 11, ISAKMP_NP_D = 12,
	ISAKMP_NP_VID = 13, ISAKMP_NP_ATTR = 14, ISAKMP_NP_NATD = 20,
	ISAKMP_NP_NATOA = 21, ISAKMP_NP_NATD_DRAFT = 130, ISAKMP_NP_NATOA_DRAFT = 131,
	ISAKMP_NP_FRAG = 132,
	/* IKEv2 */
	IKEV2_NP_SA = 33, IKEV2_NP_KE = 34, IKEV2_NP_IDI = 35, IKEV2_NP_IDR = 36,
	IKEV2_NP_CERT = 37, IKEV2_NP_CERTREQ = 38, IKEV2_NP_AUTH = 39,
	IKEV2_NP_NONCE = 40, IKEV2_NP_N = 41, IKEV2_NP_D = 42, IKEV2_NP_V = 43,
	IKEV2_NP_TSI = 44, IKEV2_NP_TSR = 45, IKEV2_NP_SK = 46, IKEV2_NP_CP = 47,
	IKEV2_NP_EAP = 48, IKEV2_NP_SKF = 53,
};

/* Protocol ids (proposals, notify, delete) */
enum { ISAKMP_PROTO_ISAKMP = 1, ISAKMP_PROTO_AH = 2, ISAKMP_PROTO_ESP = 3, ISAKMP_PROTO_IPCOMP = 4 };

/* Notify types used by rekey analysis */
enum {
	ISAKMP_N_CONNECTED = 16384,           /* v1 */
	ISAKMP_N_RESPONDER_LIFETIME = 24576,  /* v1, IPsec DOI */
	ISAKMP_N_REPLAY_STATUS = 24577,
	ISAKMP_N_INITIAL_CONTACT = 24578,
	IKEV2_N_NO_PROPOSAL_CHOSEN = 14,
	IKEV2_N_INVALID_KE_PAYLOAD = 17,
	IKEV2_N_TEMPORARY_FAILURE = 43,
	IKEV2_N_CHILD_SA_NOT_FOUND = 44,
	IKEV2_N_INITIAL_CONTACT = 16384,
	IKEV2_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKEV2_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKEV2_N_USE_TRANSPORT_MODE = 16391,
	IKEV2_N_REKEY_SA = 16393,
};

/* The fixed header.  `length` is the header's own length field. */
struct isakmp_header {
	uint8_t spi_i[8], spi_r[8];   /* IKEv1: the cookies CKY-I, CKY-R */
	uint8_t next_payload;
	uint8_t major_version, minor_version;
	uint8_t exchange_type;
	uint8_t flags;
	uint32_t message_id;
	uint32_t length;
};

/* Needs the 28 header bytes captured (else IKE_TRUNCATED); a major version
 * other than 1 or 2, or a length below 28, is IKE_MALFORMED. */
enum anomaly isakmp_parse_header(const uint8_t *p, size_t caplen, struct isakmp_header *h);

/* One payload of the chain. */
struct isakmp_payload {
	uint8_t type;          /* this payload's type (announced by the one before) */
	uint8_t next;          /* the next one's (for SK/SKF: the first inner payload) */
	bool critical;         /* IKEv2 critical bit */
	bool v2;               /* decoders pick the IKEv1 or IKEv2 layout by this */
	uint16_t length;       /* generic header length field, header included */
	const uint8_t *body;   /* after the 4-byte generic header */
	uint16_t body_len;
};

struct isakmp_iter {
	struct cursor c;       /* the captured, unread rest of the chain */
	size_t wire_left;      /* bytes the message says are left */
	uint8_t next;          /* type of the payload to read next; 0 = end */
	bool v2;
	bool encrypted;        /* IKEv1 message with the E flag: nothing to iterate */
	unsigned count;        /* payloads yielded */
	enum anomaly anomaly;  /* why the iteration stopped early; AN_NONE = clean end */
};

/* Over a bare payload chain (e.g. decrypted plaintext): `first` is the type of
 * the first payload; caplen bytes are present of len.  Bytes after the
 * payload whose next type is 0 are ignored (IKEv1 padding). */
void isakmp_iter_init(struct isakmp_iter *it, uint8_t first, bool v2, const uint8_t *chain,
		      size_t caplen, size_t len);

/* Over a whole message: parses the header into *h and starts the iterator
 * after it.  `len` is what the UDP length says the message has (frame.ike_len),
 * caplen what was captured.  Returns the header's anomaly, or IKE_MALFORMED if
 * the header's length exceeds `len` (the iterator then covers `len`), or
 * AN_NONE.  An IKEv1 message with the E flag sets it->encrypted and yields
 * nothing: its ciphertext is msg + 28, h->length - 28 bytes. */
enum anomaly isakmp_iter_msg(struct isakmp_iter *it, const uint8_t *msg, size_t caplen,
			     size_t len, struct isakmp_header *h);

/* Yields the next payload; false at the end of the chain or on an anomaly
 * (it->anomaly: IKE_MALFORMED for a length < 4 or past the message, a chain
 * longer than ISAKMP_MAX_PAYLOADS, or a next type with no bytes left;
 * IKE_TRUNCATED for a payload beyond the captured bytes).  Iteration stops
 * after an SK/SKF payload (its body is ciphertext); pl->next then holds the
 * first inner payload type. */
bool isakmp_iter_next(struct isakmp_iter *it, struct isakmp_payload *pl);

/* ---- SA payloads ---------------------------------------------------- */

/* IKEv1 data attributes (RFC 2408 §3.3) as one transform or a
 * RESPONDER-LIFETIME notify carries them.  0 = attribute absent. */
struct ikev1_attrs {
	/* phase 1 (ISAKMP) */
	uint16_t encr, hash, auth_method, group;
	/* phase 2 (IPsec DOI) */
	uint16_t group_desc;      /* PFS group */
	uint16_t encap_mode;      /* 1 tunnel, 2 transport, 3/61443 UDP tunnel, 4/61444 UDP transport */
	uint16_t auth_alg;
	/* both */
	uint16_t key_length;      /* bits */
	bool has_life_seconds, has_life_kbytes;
	uint64_t life_seconds, life_kbytes;
	uint16_t n_attrs;         /* attributes read */
	uint16_t n_unknown;       /* not decoded (other types, a duration without a type) */
};

/* attrs/len: the attribute bytes.  phase1 chooses the ISAKMP attribute
 * numbering (encryption 1 ... life 11/12, key length 14) over the IPsec DOI
 * one (life 1/2, group 3, encapsulation 4, auth 5, key length 6).  A Life
 * Duration may be TV or a 1..8-byte big-endian TLV and applies to the Life
 * Type just before it. */
enum anomaly ikev1_attrs_parse(const uint8_t *attrs, size_t len, bool phase1,
			       struct ikev1_attrs *out);

#define IKEV1_MAX_PROPOSALS 4
#define IKEV1_MAX_TRANSFORMS 8

struct ikev1_transform {
	uint8_t number, id;
	struct ikev1_attrs attrs;
};

struct ikev1_proposal {
	uint8_t number, protocol, spi_size;
	uint8_t n_transforms;             /* as the proposal header says */
	uint8_t spi[ISAKMP_MAX_SPI];
	uint32_t spi32;                   /* when spi_size == 4 (ESP, AH) */
	uint16_t transforms_seen;
	uint8_t transforms_stored;
	struct ikev1_transform t[IKEV1_MAX_TRANSFORMS];
};

struct ikev1_sa {
	uint32_t doi, situation;
	uint16_t proposals_seen;
	uint8_t proposals_stored;
	struct ikev1_proposal p[IKEV1_MAX_PROPOSALS];
};

enum anomaly ikev1_sa_parse(const struct isakmp_payload *pl, struct ikev1_sa *out);

#define IKEV2_MAX_PROPOSALS 4
#define IKEV2_MAX_TRANSFORMS 16

enum { IKEV2_T_ENCR = 1, IKEV2_T_PRF = 2, IKEV2_T_INTEG = 3, IKEV2_T_DH = 4, IKEV2_T_ESN = 5 };

struct ikev2_transform {
	uint8_t type;
	uint16_t id;
	uint16_t key_length;              /* Key Length attribute (14), 0 if absent */
};

struct ikev2_proposal {
	uint8_t number, protocol, spi_size;
	uint8_t n_transforms;
	uint8_t spi[ISAKMP_MAX_SPI];
	uint32_t spi32;                   /* when spi_size == 4 */
	uint16_t transforms_seen;
	uint8_t transforms_stored;
	struct ikev2_transform t[IKEV2_MAX_TRANSFORMS];
};

struct ikev2_sa {
	uint16_t proposals_seen;
	uint8_t proposals_stored;
	struct ikev2_proposal p[IKEV2_MAX_PROPOSALS];
};

enum anomaly ikev2_sa_parse(const struct isakmp_payload *pl, struct ikev2_sa *out);

/* ---- other payloads ------------------------------------------------- */

struct isakmp_ke {
	uint16_t group;                   /* IKEv2 only (IKEv1: from the SA) */
	const uint8_t *data;
	uint16_t len;
};
enum anomaly isakmp_ke_parse(const struct isakmp_payload *pl, struct isakmp_ke *out);

/* Nonce, HASH, Vendor ID, NAT-D, SIG, AUTH data: the body itself. */
struct isakmp_blob {
	const uint8_t *data;
	uint16_t len;
};
static inline struct isakmp_blob isakmp_blob(const struct isakmp_payload *pl)
{
	return (struct isakmp_blob){ pl->body, pl->body_len };
}
/* A nonce outside RFC sizes (v1 8..256, v2 16..256) is IKE_MALFORMED; *out is set anyway. */
enum anomaly isakmp_nonce_parse(const struct isakmp_payload *pl, struct isakmp_blob *out);

struct isakmp_id {
	uint8_t type;
	uint8_t protocol;                 /* IKEv1 only */
	uint16_t port;                    /* IKEv1 only */
	const uint8_t *data;
	uint16_t len;
};
enum anomaly isakmp_id_parse(const struct isakmp_payload *pl, struct isakmp_id *out);

struct isakmp_notify {
	uint32_t doi;                     /* IKEv1 only */
	uint8_t protocol, spi_size;
	uint16_t type;
	uint8_t spi[ISAKMP_MAX_SPI];      /* first 16 bytes of the SPI */
	uint32_t spi32;                   /* when spi_size == 4 */
	const uint8_t *data;
	uint16_t data_len;
	bool has_lifetime;                /* IKEv1 RESPONDER-LIFETIME: data decoded */
	struct ikev1_attrs lifetime;
};
enum anomaly isakmp_notify_parse(const struct isakmp_payload *pl, struct isakmp_notify *out);

#define ISAKMP_MAX_DELETE_SPIS 16
struct isakmp_delete {
	uint32_t doi;                     /* IKEv1 only */
	uint8_t protocol, spi_size;
	uint16_t n_spis;                  /* as the header says */
	uint16_t n_stored;
	uint32_t spi32[ISAKMP_MAX_DELETE_SPIS];            /* when spi_size == 4 */
	uint8_t spi[ISAKMP_MAX_DELETE_SPIS][ISAKMP_MAX_SPI]; /* first 16 bytes each */
	const uint8_t *spis;              /* all n_spis * spi_size bytes */
};
enum anomaly isakmp_delete_parse(const struct isakmp_payload *pl, struct isakmp_delete *out);

/* IKEv2 Encrypted (46) and Encrypted Fragment (53, RFC 7383) payloads. */
struct ikev2_sk {
	uint8_t first_inner;              /* the inner chain's first payload type (0 for SKF > 1) */
	bool fragment;
	uint16_t frag_number, frag_total;
	const uint8_t *data;              /* IV | ciphertext | ICV */
	uint16_t len;
};
enum anomaly ikev2_sk_parse(const struct isakmp_payload *pl, struct ikev2_sk *out);

/* IKEv2 Traffic Selectors (TSi 44, TSr 45; RFC 7296 §3.13.1). */
#define IKEV2_MAX_TS 4
enum { IKEV2_TS_IPV4_RANGE = 7, IKEV2_TS_IPV6_RANGE = 8 };
struct ikev2_ts {
	uint8_t type;                     /* 7 IPv4 range, 8 IPv6 range; others not decoded */
	uint8_t ip_proto;                 /* 0 = any */
	uint16_t start_port, end_port;
	struct addr start, end;           /* family 4 or 6; 0 for other types */
};
struct ikev2_ts_list {
	uint8_t n_ts;                     /* as the payload says */
	uint8_t n_stored;
	struct ikev2_ts ts[IKEV2_MAX_TS];
};
enum anomaly ikev2_ts_parse(const struct isakmp_payload *pl, struct ikev2_ts_list *out);

const char *isakmp_exchange_name(uint8_t major_version, uint8_t exchange_type);
const char *isakmp_payload_name(uint8_t type);

#endif
