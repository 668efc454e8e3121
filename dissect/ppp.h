/* PPP framing as it appears after PPPoE, in L2TP data messages and on PPP
 * links: optional FF 03 address/control, then a 1- or 2-byte protocol
 * (RFC 1661 §6.5 protocol-field compression). */
#ifndef ESPREKEY_PPP_H
#define ESPREKEY_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/packet.h"

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define PPP_COMP 0x00fd   /* a CCP-compressed datagram */
#define PPP_IPCP 0x8021
#define PPP_IPV6CP 0x8057
#define PPP_CCP 0x80fd
#define PPP_LCP 0xc021
#define PPP_PAP 0xc023
#define PPP_CHAP 0xc223

enum ppp_kind {
	PPPK_OTHER,
	PPPK_IPV4,
	PPPK_IPV6,
	PPPK_LCP,
	PPPK_IPCP,
	PPPK_CCP,
	PPPK_IPV6CP,
	PPPK_AUTH,       /* PAP, CHAP, EAP */
	PPPK_COMPRESSED, /* 0x00fd: payload compressed by CCP */
};

struct ppp_info {
	bool addr_ctrl;          /* FF 03 was present */
	bool pfc;                /* the protocol field was 1 byte */
	uint16_t protocol;
	enum ppp_kind kind;
	/* control protocols (LCP, IPCP, CCP, IPV6CP, PAP, CHAP): code, id, length */
	bool has_code;
	uint8_t code, id;
	uint16_t cp_len;
	const uint8_t *payload;
	uint32_t payload_len;    /* from the enclosing length */
	uint32_t payload_caplen;
};

enum anomaly ppp_parse(const uint8_t *p, size_t caplen, size_t len, struct ppp_info *out);
enum ppp_kind ppp_kind_of(uint16_t protocol);
const char *ppp_kind_name(enum ppp_kind k);

#endif
