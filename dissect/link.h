/* Link layers: which are supported, and where the network layer starts. */
#ifndef ESPREKEY_LINK_H
#define ESPREKEY_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/packet.h"

/* pcap DLT values (as pcap_datalink() returns them). */
#define LINK_DLT_NULL 0
#define LINK_DLT_EN10MB 1
#define LINK_DLT_PPP 9
#define LINK_DLT_RAW 12       /* also 14 on OpenBSD, and LINKTYPE_RAW 101 */
#define LINK_DLT_RAW_OPENBSD 14
#define LINK_DLT_PPP_SERIAL 50
#define LINK_DLT_PPP_ETHER 51
#define LINK_DLT_LINKTYPE_RAW 101
#define LINK_DLT_C_HDLC 104
#define LINK_DLT_LOOP 108
#define LINK_DLT_LINUX_SLL 113
#define LINK_DLT_PPP_WITH_DIR 204
#define LINK_DLT_IPV4 228
#define LINK_DLT_IPV6 229
#define LINK_DLT_LINUX_SLL2 276

#define LINK_MAX_VLANS 4

enum net_proto {
	NET_OTHER,  /* ARP, LLDP, PPPoE discovery, LCP, ...: not IP */
	NET_IPV4,
	NET_IPV6,
};

struct link_info {
	enum net_proto net;
	uint32_t offset;          /* where the network header starts */
	uint32_t net_len_limit;   /* non-zero: the network packet is at most this
				     long (the PPPoE length field); else wirelen - offset */
	uint16_t ethertype;       /* the last EtherType / SLL protocol seen, if any */
	uint8_t n_vlans;          /* 802.1Q/802.1ad tags, outermost first */
	uint16_t vlan[LINK_MAX_VLANS]; /* VLAN ids (12 bits) */
	bool pppoe;
	uint16_t pppoe_session;
	bool ppp;
	uint16_t ppp_protocol;
};

bool link_supported(int dlt);
const char *link_name(int dlt);  /* "unsupported" for the others */

/* Strips the link header(s).  On AN_NONE, out->net says what follows at
 * out->offset (NET_OTHER: not IP, not an anomaly).  An unsupported dlt gives
 * NET_OTHER.  Anomalies are LINK_TRUNCATED / LINK_MALFORMED. */
enum anomaly link_strip(int dlt, const uint8_t *p, size_t caplen, size_t wirelen,
			struct link_info *out);

#endif
