/* What the dissectors find in one captured frame.  Parsers fill these in and
 * return; they never print and never allocate.  Pointers point into the
 * caller's frame buffer (or the reassembly buffer) and live until the next frame. */
#ifndef ESPREKEY_PACKET_H
#define ESPREKEY_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each anomaly is either "truncated" (the capture stopped early: snaplen or a
 * cut file) or "malformed" (the packet itself lies), as tcpdump distinguishes. */
#define ANOMALY_LIST(X)                                                          \
	X(LINK_TRUNCATED, "link-layer header truncated", true)                   \
	X(LINK_MALFORMED, "link-layer header malformed", false)                  \
	X(IP_TRUNCATED, "IP header truncated", true)                             \
	X(IP_MALFORMED, "IP header malformed (version, header or total length)", false) \
	X(IP_FRAG_DROPPED, "IP fragment dropped (reassembly limit, overlap or timeout)", false) \
	X(UDP_TRUNCATED, "UDP header truncated", true)                           \
	X(UDP_MALFORMED, "UDP length field lies", false)                         \
	X(ESP_TRUNCATED, "ESP header truncated", true)                           \
	X(ESP_MALFORMED, "ESP too short for its header", false)                  \
	X(IKE_TRUNCATED, "ISAKMP message truncated", true)                       \
	X(IKE_MALFORMED, "ISAKMP header or payload chain malformed", false)      \
	X(L2TP_TRUNCATED, "L2TP header truncated", true)                         \
	X(L2TP_MALFORMED, "L2TP header malformed", false)                        \
	X(PPP_TRUNCATED, "PPP header truncated", true)                           \
	X(PPP_MALFORMED, "PPP header malformed", false)                          \
	X(INNER_IP_TRUNCATED, "inner IP header truncated", true)                 \
	X(INNER_IP_MALFORMED, "inner IP header malformed", false)                \
	X(TCP_TRUNCATED, "inner TCP header truncated", true)                     \
	X(TCP_MALFORMED, "inner TCP header malformed", false)                    \
	X(INNER_UDP_TRUNCATED, "inner UDP header truncated", true)               \
	X(INNER_UDP_MALFORMED, "inner UDP length field lies", false)

enum anomaly {
	AN_NONE = 0,
#define X(name, text, truncated) AN_##name,
	ANOMALY_LIST(X)
#undef X
	AN_COUNT
};

const char *anomaly_text(enum anomaly a);
const char *anomaly_name(enum anomaly a); /* short, e.g. "ip-truncated", for CSV/JSON */
bool anomaly_is_truncation(enum anomaly a);

/* An IP address; family is 4 or 6 (0 = none).  IPv4 lives in b[0..3], rest zero,
 * so memcmp over the whole struct compares addresses. */
struct addr {
	uint8_t family;
	uint8_t b[16];
};

enum frame_kind {
	FK_NOT_IP,         /* ARP, LLDP, ...: not ours, not an anomaly */
	FK_IP_OTHER,       /* IP, but neither IKE nor ESP */
	FK_ESP,            /* ESP, as IP protocol 50 or in UDP 4500 */
	FK_IKE,            /* ISAKMP on UDP 500, or on 4500 after the non-ESP marker */
	FK_NATT_KEEPALIVE, /* the 1-byte 0xff on UDP 4500 */
	FK_FRAGMENT_HELD,  /* an IP fragment kept for reassembly; nothing to analyze yet */
	FK_ANOMALY,        /* stopped at `anomaly` */
};

struct frame {
	enum frame_kind kind;
	enum anomaly anomaly;   /* AN_NONE unless something was wrong */
	bool reassembled;       /* the IP layer came from fragment reassembly */

	/* outer IP */
	struct addr src, dst;
	uint8_t ip_proto;
	uint32_t ip_len;        /* IP total length from the header (IPv6: 40 + payload length) */

	/* UDP, if ip_proto == 17 */
	uint16_t sport, dport;
	uint16_t udp_len;       /* from the UDP header */

	/* ESP: SPI and sequence number are always captured when kind == FK_ESP */
	bool esp_in_udp;
	uint32_t spi, seq;
	uint32_t esp_len;       /* SPI through ICV, from the IP/UDP length fields */
	const uint8_t *esp;     /* starts at the SPI */
	uint32_t esp_caplen;    /* how much of esp_len was captured */

	/* IKE: the ISAKMP message, from its header on (non-ESP marker removed) */
	const uint8_t *ike;
	uint32_t ike_caplen;
	uint32_t ike_len;       /* from the UDP length field */
	bool ike_natt;          /* came on 4500 behind the non-ESP marker */

	/* Reassembly: when `reassembled`, ip_len is the header length of the
	 * completing fragment plus the reassembled payload; these say what the
	 * fragments themselves carried on the wire (for throughput). */
	uint32_t frag_ip_bytes; /* sum of the fragments' IP total lengths */
	uint16_t frag_count;    /* fragments that made up the datagram */
};

#endif
