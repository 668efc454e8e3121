/* IPv4 and IPv6 headers, for the outer packet and for decrypted inner ones. */
#ifndef ESPREKEY_IP_H
#define ESPREKEY_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/packet.h"

struct ip_info {
	uint8_t version;          /* 4 or 6 */
	struct addr src, dst;
	uint8_t proto;            /* upper layer, after IPv6 extension headers */
	uint32_t total_len;       /* IPv4 total length; IPv6 40 + payload length */
	uint32_t hdr_len;         /* IPv4 IHL*4; IPv6 40 + extension headers */
	uint8_t ttl;              /* TTL / hop limit */
	const uint8_t *payload;   /* first byte after the header(s) */
	uint32_t payload_len;     /* total_len - hdr_len: from the length fields */
	uint32_t payload_caplen;  /* how much of it is in the buffer */

	/* fragmentation (IPv4 MF/offset, IPv6 fragment header) */
	bool is_fragment;         /* more fragments, or a non-zero offset */
	bool more_frags;
	uint32_t frag_offset;     /* in bytes */
	uint32_t frag_id;         /* IPv4: 16 bits; IPv6: 32 bits */
};

/* `inner` selects the INNER_IP_* anomaly kinds (decrypted packets).
 * caplen: bytes in the buffer; wirelen: bytes the enclosing layer says exist.
 * On AN_NONE every field is set; on an anomaly the fields read so far are. */
enum anomaly ipv4_parse(const uint8_t *p, size_t caplen, size_t wirelen, bool inner,
			struct ip_info *out);
enum anomaly ipv6_parse(const uint8_t *p, size_t caplen, size_t wirelen, bool inner,
			struct ip_info *out);
/* Dispatches on the version nibble (malformed if neither 4 nor 6). */
enum anomaly ip_parse(const uint8_t *p, size_t caplen, size_t wirelen, bool inner,
		      struct ip_info *out);

/* After IPv6 reassembly the payload may still begin with extension headers
 * (those that follow the fragment header): skips them, updating *proto and
 * returning how many bytes they take, or an anomaly via *an. */
size_t ipv6_skip_ext(uint8_t *proto, const uint8_t *p, size_t caplen, size_t len,
		     bool inner, enum anomaly *an);

#endif
