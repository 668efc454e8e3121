/* L2TPv2 header (RFC 2661 §3.1), as carried on UDP 1701 inside ESP. */
#ifndef ESPREKEY_L2TP_H
#define ESPREKEY_L2TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/packet.h"

#define L2TP_PORT 1701

struct l2tp_info {
	uint16_t flags;           /* the raw flags/version word */
	bool control;             /* T */
	bool has_length, has_seq, has_offset, priority; /* L, S, O, P */
	uint8_t version;
	uint16_t length;          /* if L */
	uint16_t tunnel_id, session_id;
	uint16_t ns, nr;          /* if S */
	uint16_t offset_size;     /* if O */
	uint32_t hdr_len;         /* including the offset padding */
	/* control: the Message Type AVP (attribute 0), if the first AVP is it */
	bool zlb;                 /* control message without AVPs (an acknowledgement) */
	uint16_t msg_type;
	/* data: the PPP frame; control: the AVPs */
	const uint8_t *payload;
	uint32_t payload_len;
	uint32_t payload_caplen;
};

/* caplen: bytes in the buffer; len: the UDP payload length.  A version other
 * than 2, a control message without L and S, or a length field that does not
 * fit is L2TP_MALFORMED. */
enum anomaly l2tp_parse(const uint8_t *p, size_t caplen, size_t len, struct l2tp_info *out);

#endif
