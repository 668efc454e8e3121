/* Link layers: Ethernet (with stacked 802.1Q/802.1ad tags, LLC/SNAP and
 * PPPoE sessions), Linux cooked v1/v2, raw IP, BSD loopback, PPP, Cisco HDLC.
 * One loop walks EtherTypes until it reaches IP or something that is not. */
#include <string.h>

#include "dissect/cursor.h"
#include "dissect/layer.h"
#include "dissect/link.h"
#include "dissect/ppp.h"

#define ET_IPV4 0x0800
#define ET_IPV6 0x86dd
#define ET_VLAN 0x8100
#define ET_QINQ 0x88a8
#define ET_QINQ_OLD1 0x9100
#define ET_QINQ_OLD2 0x9200
#define ET_PPPOE_DISC 0x8863
#define ET_PPPOE_SESS 0x8864
#define MAX_TAGS 8

static const struct {
	int dlt;
	const char *name;
} links[] = {
	{ LINK_DLT_NULL, "BSD loopback (NULL)" },
	{ LINK_DLT_EN10MB, "Ethernet" },
	{ LINK_DLT_PPP, "PPP" },
	{ LINK_DLT_RAW, "raw IP" },
	{ LINK_DLT_RAW_OPENBSD, "raw IP" },
	{ LINK_DLT_PPP_SERIAL, "PPP in HDLC framing" },
	{ LINK_DLT_PPP_ETHER, "PPPoE" },
	{ LINK_DLT_LINKTYPE_RAW, "raw IP" },
	{ LINK_DLT_C_HDLC, "Cisco HDLC" },
	{ LINK_DLT_LOOP, "OpenBSD loopback (LOOP)" },
	{ LINK_DLT_LINUX_SLL, "Linux cooked (SLL)" },
	{ LINK_DLT_PPP_WITH_DIR, "PPP with direction" },
	{ LINK_DLT_IPV4, "raw IPv4" },
	{ LINK_DLT_IPV6, "raw IPv6" },
	{ LINK_DLT_LINUX_SLL2, "Linux cooked v2 (SLL2)" },
};

bool link_supported(int dlt)
{
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (links[i].dlt == dlt)
			return true;
	return false;
}

const char *link_name(int dlt)
{
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (links[i].dlt == dlt)
			return links[i].name;
	return "unsupported";
}

static enum anomaly need(size_t n, size_t caplen, size_t wirelen)
{
	return layer_need(n, caplen, wirelen, AN_LINK_TRUNCATED, AN_LINK_MALFORMED);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A PPP header at `off` (len: how long the PPP frame is on the wire). */
static enum anomaly ppp_at(const uint8_t *p, size_t caplen, size_t off, size_t len,
			   struct link_info *out)
{
	struct ppp_info ppp;
	size_t cap = caplen > off ? caplen - off : 0;
	enum anomaly an = ppp_parse(p + off, cap, len, &ppp);

	if (an != AN_NONE)
		return an == AN_PPP_TRUNCATED ? AN_LINK_TRUNCATED : AN_LINK_MALFORMED;
	out->ppp = true;
	out->ppp_protocol = ppp.protocol;
	size_t hdr = (size_t)(ppp.payload - (p + off));
	out->offset = (uint32_t)(off + hdr);
	out->net_len_limit = (uint32_t)(len - hdr);
	if (ppp.protocol == PPP_IPV4)
		out->net = NET_IPV4;
	else if (ppp.protocol == PPP_IPV6)
		out->net = NET_IPV6;
	return AN_NONE;
}

/* PPPoE session header (RFC 2516) at `off`, then PPP. */
static enum anomaly pppoe_at(const uint8_t *p, size_t caplen, size_t wirelen, size_t off,
			     struct link_info *out)
{
	enum anomaly an = need(off + 6, caplen, wirelen);
	if (an != AN_NONE)
		return an;
	uint8_t ver_type = p[off], code = p[off + 1];
	uint16_t length = be16(p + off + 4);
	out->pppoe = true;
	out->pppoe_session = be16(p + off + 2);
	if (ver_type != 0x11 || code != 0x00 || length > wirelen - off - 6)
		return AN_LINK_MALFORMED;
	return ppp_at(p, caplen, off + 6, length, out);
}

/* Follows EtherTypes from `type` (whose payload starts at `off`). */
static enum anomaly ethertype_walk(uint16_t type, const uint8_t *p, size_t caplen,
				   size_t wirelen, size_t off, struct link_info *out)
{
	enum anomaly an;

	for (int tags = 0;; tags++) {
		out->ethertype = type;
		switch (type) {
		case ET_IPV4:
			out->net = NET_IPV4;
			out->offset = (uint32_t)off;
			return AN_NONE;
		case ET_IPV6:
			out->net = NET_IPV6;
			out->offset = (uint32_t)off;
			return AN_NONE;
		case ET_VLAN:
		case ET_QINQ:
		case ET_QINQ_OLD1:
		case ET_QINQ_OLD2:
			if (tags == MAX_TAGS)
				return AN_LINK_MALFORMED;
			if ((an = need(off + 4, caplen, wirelen)) != AN_NONE)
				return an;
			if (out->n_vlans < LINK_MAX_VLANS)
				out->vlan[out->n_vlans++] = be16(p + off) & 0x0fff;
			type = be16(p + off + 2);
			off += 4;
			continue;
		case ET_PPPOE_SESS:
			return pppoe_at(p, caplen, wirelen, off, out);
		default:
			if (type <= 1500) {
				/* 802.3 length: only LLC/SNAP with an EtherType goes on. */
				if (need(off + 8, caplen, wirelen) != AN_NONE ||
				    memcmp(p + off, "\xaa\xaa\x03\x00\x00\x00", 6) != 0)
					return AN_NONE;
				type = be16(p + off + 6);
				off += 8;
				continue;
			}
			return AN_NONE; /* ARP, LLDP, PPPoE discovery, ...: not IP */
		}
	}
}

static enum anomaly loopback(const uint8_t *p, size_t caplen, size_t wirelen,
			     struct link_info *out)
{
	enum anomaly an = need(4, caplen, wirelen);
	if (an != AN_NONE)
		return an;
	/* DLT_NULL holds the AF in the writer's byte order, DLT_LOOP in network
	 * order; AF values are small, so the order that yields one is right. */
	struct cursor c = cur_init(p, 4);
	uint32_t le = cur_u32le(&c);
	c = cur_init(p, 4);
	uint32_t be = cur_u32(&c);
	uint32_t af = le <= 0xffff ? le : be;
	out->offset = 4;
	switch (af) {
	case 2:
		out->net = NET_IPV4;
		break;
	case 10: /* Linux */
	case 24: /* NetBSD, OpenBSD, BSD/OS */
	case 28: /* FreeBSD, DragonFly */
	case 30: /* Darwin */
		out->net = NET_IPV6;
		break;
	default:
		break;
	}
	return AN_NONE;
}

enum anomaly link_strip(int dlt, const uint8_t *p, size_t caplen, size_t wirelen,
			struct link_info *out)
{
	enum anomaly an;

	memset(out, 0, sizeof *out);
	if (wirelen < caplen)
		wirelen = caplen;
	switch (dlt) {
	case LINK_DLT_EN10MB:
		if ((an = need(14, caplen, wirelen)) != AN_NONE)
			return an;
		return ethertype_walk(be16(p + 12), p, caplen, wirelen, 14, out);
	case LINK_DLT_LINUX_SLL:
		if ((an = need(16, caplen, wirelen)) != AN_NONE)
			return an;
		if (be16(p + 2) == 824) /* ARPHRD_NETLINK */
			return AN_NONE;
		return ethertype_walk(be16(p + 14), p, caplen, wirelen, 16, out);
	case LINK_DLT_LINUX_SLL2:
		if ((an = need(20, caplen, wirelen)) != AN_NONE)
			return an;
		if (be16(p + 8) == 824)
			return AN_NONE;
		return ethertype_walk(be16(p), p, caplen, wirelen, 20, out);
	case LINK_DLT_RAW:
	case LINK_DLT_RAW_OPENBSD:
	case LINK_DLT_LINKTYPE_RAW:
		if ((an = need(1, caplen, wirelen)) != AN_NONE)
			return an;
		/* Anything but 6 goes to the IPv4 parser, which calls it malformed. */
		out->net = p[0] >> 4 == 6 ? NET_IPV6 : NET_IPV4;
		return AN_NONE;
	case LINK_DLT_IPV4:
		out->net = NET_IPV4;
		return AN_NONE;
	case LINK_DLT_IPV6:
		out->net = NET_IPV6;
		return AN_NONE;
	case LINK_DLT_NULL:
	case LINK_DLT_LOOP:
		return loopback(p, caplen, wirelen, out);
	case LINK_DLT_PPP:
		return ppp_at(p, caplen, 0, wirelen, out);
	case LINK_DLT_PPP_WITH_DIR:
		if ((an = need(1, caplen, wirelen)) != AN_NONE)
			return an;
		return ppp_at(p, caplen, 1, wirelen - 1, out);
	case LINK_DLT_PPP_SERIAL:
	case LINK_DLT_C_HDLC:
		if ((an = need(1, caplen, wirelen)) != AN_NONE)
			return an;
		if (p[0] == 0x0f || p[0] == 0x8f) {
			/* Cisco HDLC: address, control, EtherType. */
			if ((an = need(4, caplen, wirelen)) != AN_NONE)
				return an;
			return ethertype_walk(be16(p + 2), p, caplen, wirelen, 4, out);
		}
		if (dlt == LINK_DLT_C_HDLC)
			return AN_LINK_MALFORMED;
		return ppp_at(p, caplen, 0, wirelen, out);
	case LINK_DLT_PPP_ETHER:
		return pppoe_at(p, caplen, wirelen, 0, out);
	default:
		return AN_NONE;
	}
}
