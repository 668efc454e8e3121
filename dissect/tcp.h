/* TCP header (RFC 9293) of decrypted inner packets. */
#ifndef ESPREKEY_TCP_H
#define ESPREKEY_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/packet.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

struct tcp_info {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;            /* FIN..CWR */
	uint16_t window;          /* unscaled, as on the wire */
	uint8_t hdr_len;          /* data offset * 4 */
	uint32_t payload_len;     /* segment length (from the IP length) - hdr_len */
	/* options, when present and captured */
	uint16_t mss;             /* 0 = absent */
	int8_t wscale;            /* -1 = absent */
	bool sack_permitted;
	bool has_timestamps;
	uint32_t ts_val, ts_ecr;
};

/* caplen: bytes in the buffer; len: the segment length (IP payload length).
 * A data offset below 5 or past len is TCP_MALFORMED. */
enum anomaly tcp_parse(const uint8_t *p, size_t caplen, size_t len, struct tcp_info *out);

#endif
