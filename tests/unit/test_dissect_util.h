/* Packet builders for the dissect tests: append bytes, patch lengths. */
#ifndef TEST_DISSECT_UTIL_H
#define TEST_DISSECT_UTIL_H

#include <glib.h>
#include <stdint.h>
#include <string.h>

struct pkt {
	uint8_t b[70000];
	size_t n;
};

static inline void put8(struct pkt *p, uint8_t v) { g_assert_cmpuint(p->n, <, sizeof p->b); p->b[p->n++] = v; }
static inline void put16(struct pkt *p, uint16_t v) { put8(p, (uint8_t)(v >> 8)); put8(p, (uint8_t)v); }
static inline void put32(struct pkt *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p, (uint16_t)v); }
static inline void putn(struct pkt *p, const void *d, size_t n) { g_assert_cmpuint(p->n + n, <=, sizeof p->b); memcpy(p->b + p->n, d, n); p->n += n; }
static inline void putz(struct pkt *p, size_t n) { g_assert_cmpuint(p->n + n, <=, sizeof p->b); memset(p->b + p->n, 0, n); p->n += n; }
static inline void putfill(struct pkt *p, uint8_t v, size_t n) { g_assert_cmpuint(p->n + n, <=, sizeof p->b); memset(p->b + p->n, v, n); p->n += n; }
static inline void patch16(struct pkt *p, size_t off, uint16_t v) { p->b[off] = (uint8_t)(v >> 8); p->b[off + 1] = (uint8_t)v; }
static inline void patch32(struct pkt *p, size_t off, uint32_t v) { patch16(p, off, (uint16_t)(v >> 16)); patch16(p, off + 2, (uint16_t)v); }

/* Ethernet header with the given EtherType. */
static inline void put_eth(struct pkt *p, uint16_t type)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10 };
	putn(p, macs, 12);
	put16(p, type);
}

/* IPv4 header; returns its offset.  Total length patched later by ip4_end. */
static inline size_t put_ip4(struct pkt *p, uint8_t proto, uint32_t src, uint32_t dst)
{
	size_t off = p->n;
	put8(p, 0x45); put8(p, 0); put16(p, 0); put16(p, 0x1234); put16(p, 0);
	put8(p, 64); put8(p, proto); put16(p, 0); put32(p, src); put32(p, dst);
	return off;
}
static inline void ip4_end(struct pkt *p, size_t off) { patch16(p, off + 2, (uint16_t)(p->n - off)); }

/* IPv6 header; payload length patched by ip6_end. */
static inline size_t put_ip6(struct pkt *p, uint8_t nh)
{
	size_t off = p->n;
	put32(p, 0x60000000); put16(p, 0); put8(p, nh); put8(p, 64);
	static const uint8_t s[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t d[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	putn(p, s, 16); putn(p, d, 16);
	return off;
}
static inline void ip6_end(struct pkt *p, size_t off) { patch16(p, off + 4, (uint16_t)(p->n - off - 40)); }

/* UDP header; length patched by udp_end. */
static inline size_t put_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	size_t off = p->n;
	put16(p, sport); put16(p, dport); put16(p, 0); put16(p, 0);
	return off;
}
static inline void udp_end(struct pkt *p, size_t off) { patch16(p, off + 4, (uint16_t)(p->n - off)); }

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

#endif
