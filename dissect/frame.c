/* The outer walker.  Each layer's parser says what comes next and where; this
 * loop is the only place that knows the order. */
#include <string.h>

#include "dissect/esp.h"
#include "dissect/frame.h"
#include "dissect/ip.h"
#include "dissect/link.h"
#include "dissect/udp.h"

#define ISAKMP_HDR_LEN 28

static void set_anomaly(struct frame *out, enum anomaly an)
{
	out->kind = FK_ANOMALY;
	out->anomaly = an;
}

/* An ISAKMP message at p: the frame is IKE only if its fixed header is there. */
static void take_ike(struct frame *out, const uint8_t *p, size_t caplen, size_t len, bool natt)
{
	out->ike = p;
	out->ike_caplen = (uint32_t)(caplen < len ? caplen : len);
	out->ike_len = (uint32_t)len;
	out->ike_natt = natt;
	if (len < ISAKMP_HDR_LEN)
		return set_anomaly(out, AN_IKE_MALFORMED);
	if (caplen < ISAKMP_HDR_LEN)
		return set_anomaly(out, AN_IKE_TRUNCATED);
	uint8_t major = p[17] >> 4;
	if (major != 1 && major != 2)
		return set_anomaly(out, AN_IKE_MALFORMED);
	out->kind = FK_IKE;
}

static void take_esp(struct frame *out, const uint8_t *p, size_t caplen, size_t len, bool in_udp)
{
	struct esp_info esp;
	enum anomaly an = esp_parse(p, caplen, len, &esp);

	out->esp_in_udp = in_udp;
	out->esp = p;
	out->esp_len = esp.len;
	out->esp_caplen = esp.caplen;
	if (an != AN_NONE)
		return set_anomaly(out, an);
	out->spi = esp.spi;
	out->seq = esp.seq;
	out->kind = FK_ESP;
}

static void take_udp(struct frame *out, const struct ip_info *ip)
{
	struct udp_info udp;
	enum anomaly an = udp_parse(ip->payload, ip->payload_caplen, ip->payload_len, false, &udp);

	out->sport = udp.sport;
	out->dport = udp.dport;
	out->udp_len = udp.len;
	if (an != AN_NONE)
		return set_anomaly(out, an);

	if (udp.sport == NATT_PORT || udp.dport == NATT_PORT) {
		enum natt_kind kind;
		an = natt_classify(udp.payload, udp.payload_caplen, udp.payload_len, &kind);
		if (an != AN_NONE)
			return set_anomaly(out, an);
		switch (kind) {
		case NATT_KEEPALIVE:
			out->kind = FK_NATT_KEEPALIVE;
			return;
		case NATT_IKE:
			return take_ike(out, udp.payload + 4, udp.payload_caplen - 4,
					udp.payload_len - 4, true);
		case NATT_ESP:
			return take_esp(out, udp.payload, udp.payload_caplen, udp.payload_len, true);
		}
	}
	if (udp.sport == IKE_PORT || udp.dport == IKE_PORT)
		return take_ike(out, udp.payload, udp.payload_caplen, udp.payload_len, false);
	out->kind = FK_IP_OTHER;
}

/* Only UDP and ESP can turn out to be ours; IPv6 may put extension headers
 * between the fragment header and UDP. */
static bool worth_reassembling(const struct ip_info *ip)
{
	switch (ip->proto) {
	case 17:
	case 50:
		return true;
	case 0:
	case 43:
	case 60:
		return ip->version == 6;
	default:
		return false;
	}
}

void dissect_frame(struct frag_table *ft, int dlt, uint64_t ts_ns, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen, struct frame *out)
{
	struct link_info link;
	struct ip_info ip;
	enum anomaly an;

	memset(out, 0, sizeof *out);
	if (wirelen < caplen)
		wirelen = caplen; /* a broken writer; what was captured did exist */

	an = link_strip(dlt, data, caplen, wirelen, &link);
	if (an != AN_NONE)
		return set_anomaly(out, an);
	if (link.net == NET_OTHER) {
		out->kind = FK_NOT_IP;
		return;
	}

	size_t cap = caplen - link.offset;
	size_t wire = wirelen - link.offset;
	if (link.net_len_limit && link.net_len_limit < wire)
		wire = link.net_len_limit;
	if (cap > wire)
		cap = wire;
	if (link.net == NET_IPV4)
		an = ipv4_parse(data + link.offset, cap, wire, false, &ip);
	else
		an = ipv6_parse(data + link.offset, cap, wire, false, &ip);
	out->src = ip.src;
	out->dst = ip.dst;
	out->ip_proto = ip.proto;
	out->ip_len = ip.total_len;
	if (an != AN_NONE)
		return set_anomaly(out, an);

	if (ip.is_fragment) {
		if (!ft || !worth_reassembling(&ip)) {
			out->kind = FK_IP_OTHER;
			return;
		}
		switch (frag_insert(ft, ts_ns, &ip, &out->frag_ip_bytes, &out->frag_count)) {
		case FRAG_HELD:
			out->kind = FK_FRAGMENT_HELD;
			return;
		case FRAG_DROPPED:
			return set_anomaly(out, AN_IP_FRAG_DROPPED);
		case FRAG_COMPLETE:
			out->reassembled = true;
			out->ip_len = ip.total_len;
			break;
		}
		if (ip.version == 6) {
			/* Extension headers may follow the fragment header. */
			size_t ext = ipv6_skip_ext(&ip.proto, ip.payload, ip.payload_caplen,
						   ip.payload_len, false, &an);
			out->ip_proto = ip.proto;
			if (an != AN_NONE)
				return set_anomaly(out, an);
			ip.payload += ext;
			ip.payload_len -= (uint32_t)ext;
			ip.payload_caplen -= (uint32_t)ext;
		}
	}

	switch (ip.proto) {
	case 50:
		return take_esp(out, ip.payload, ip.payload_caplen, ip.payload_len, false);
	case 17:
		return take_udp(out, &ip);
	default:
		out->kind = FK_IP_OTHER;
		return;
	}
}
