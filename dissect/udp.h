/* UDP header (RFC 768). */
#ifndef ESPREKEY_UDP_H
#define ESPREKEY_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/packet.h"

struct udp_info {
	uint16_t sport, dport;
	uint16_t len;             /* from the header, header included (0: a
				     jumbogram, see payload_len) */
	const uint8_t *payload;
	uint32_t payload_len;     /* len - 8 */
	uint32_t payload_caplen;  /* how much of it is in the buffer */
};

/* caplen: bytes in the buffer; wirelen: the IP payload length.  A UDP length
 * below 8 or above wirelen is malformed, except 0 over an IP payload above
 * 65535 bytes (jumbogram / GSO: the IP length counts).  `inner` selects
 * INNER_UDP_*. */
enum anomaly udp_parse(const uint8_t *p, size_t caplen, size_t wirelen, bool inner,
		       struct udp_info *out);

#endif
