/* The inner walker: what a decrypted ESP payload carries.
 *   next header 4/41 (tunnel mode) → IP → TCP | UDP
 *   next header 17/6 (transport mode) → UDP | TCP
 *   UDP with port 1701 on either side → L2TPv2 → (data) PPP → IP → TCP | UDP */
#ifndef ESPREKEY_INNER_H
#define ESPREKEY_INNER_H

#include <stddef.h>
#include <stdint.h>

#include "dissect/ip.h"
#include "dissect/l2tp.h"
#include "dissect/packet.h"
#include "dissect/ppp.h"
#include "dissect/tcp.h"
#include "dissect/udp.h"

/* Bits of inner.layers: which structs below were filled. */
#define IL_IP 0x01       /* tunnel-mode IP (next header 4 or 41) */
#define IL_UDP 0x02      /* UDP right under ESP or under the tunnel IP */
#define IL_L2TP 0x04
#define IL_PPP 0x08      /* L2TP data messages only */
#define IL_PPP_IP 0x10   /* the IP packet PPP carries */
#define IL_PPP_UDP 0x20  /* UDP in that IP packet */
#define IL_TCP 0x40      /* the innermost TCP, wherever it sits */

struct inner {
	enum anomaly anomaly;   /* where the walk stopped, AN_NONE if it ran out of layers */
	uint8_t next_header;
	uint32_t layers;
	struct ip_info ip;
	struct udp_info udp;
	struct l2tp_info l2tp;
	struct ppp_info ppp;
	struct ip_info ppp_ip;
	struct udp_info ppp_udp;
	struct tcp_info tcp;
};

/* p/len: the decrypted payload without padding and trailer (see
 * esp_trailer_parse).  Pointers in *out point into p. */
void dissect_inner(uint8_t next_header, const uint8_t *p, size_t len, struct inner *out);

/* The same for a payload of which only the first caplen of len bytes are
 * there (an ESP packet cut by the snaplen, decrypted as far as captured):
 * headers cut short are then *_TRUNCATED rather than *_MALFORMED. */
void dissect_inner_cap(uint8_t next_header, const uint8_t *p, size_t caplen, size_t len,
		       struct inner *out);

/* The IP packet the user sent: the one in PPP if any, else the tunnel IP, else NULL. */
const struct ip_info *inner_user_ip(const struct inner *in);

#endif
