/* Bounded IP fragment reassembly (IPv4 and IPv6).
 *
 * The table allocates its whole pool once (FRAG_SLOTS datagrams of up to
 * FRAG_MAX_PAYLOAD bytes each) and never again: memory stays flat whatever the
 * capture.  Datagrams are keyed by (family, src, dst, id, proto).  A datagram
 * is dropped (AN_IP_FRAG_DROPPED, counted in the stats) when a fragment
 * overlaps another (RFC 5722; an exact duplicate is ignored instead), when it
 * would grow past FRAG_MAX_PAYLOAD or past its known end, when it is older
 * than FRAG_TIMEOUT_NS of capture time, or when the table is full and it is
 * the oldest (evicted for a new one).
 *
 * Fragments cut by the capture's snaplen are still placed: their lengths come
 * from the IP header, and the reassembled datagram's payload_caplen says how
 * much of it, from the start, was actually captured. */
#ifndef ESPREKEY_FRAG_H
#define ESPREKEY_FRAG_H

#include <stdint.h>

#include "dissect/ip.h"

#define FRAG_SLOTS 64
#define FRAG_MAX_PAYLOAD 65536u
#define FRAG_TIMEOUT_NS (30ull * 1000000000ull)

struct frag_table;

struct frag_stats {
	uint64_t fragments;        /* fragments offered */
	uint64_t reassembled;      /* datagrams completed */
	uint64_t dropped_overlap;  /* overlapping or inconsistent fragments */
	uint64_t dropped_overflow; /* past FRAG_MAX_PAYLOAD or past the known end */
	uint64_t dropped_timeout;  /* incomplete after FRAG_TIMEOUT_NS */
	uint64_t dropped_evicted;  /* the oldest, pushed out by a full table */
	uint64_t duplicates;       /* exact repeats, ignored */
};

struct frag_table *frag_table_new(void);   /* NULL if out of memory */
void frag_table_free(struct frag_table *ft);

enum frag_result {
	FRAG_HELD,     /* kept; the datagram is not complete yet */
	FRAG_COMPLETE, /* *ip now describes the whole datagram */
	FRAG_DROPPED,  /* this fragment (and its datagram) were dropped */
};

/* Offers one fragment (ip->is_fragment, parsed by ipv4_parse/ipv6_parse).  On
 * FRAG_COMPLETE, ip->payload points into the table's pool and stays valid until
 * the next frag_insert/frag_table_expire on this table; ip->payload_len is the
 * reassembled length, ip->payload_caplen the captured prefix, ip->total_len
 * hdr_len + payload_len, ip->is_fragment false.  frag_bytes and frag_count (may
 * be NULL) receive the fragments' summed IP total lengths and their number. */
enum frag_result frag_insert(struct frag_table *ft, uint64_t ts_ns, struct ip_info *ip,
			     uint32_t *frag_bytes, uint16_t *frag_count);

/* Drops datagrams older than FRAG_TIMEOUT_NS at now_ns (UINT64_MAX: all of
 * them, e.g. at the end of the capture, to count what never completed). */
void frag_table_expire(struct frag_table *ft, uint64_t now_ns);

const struct frag_stats *frag_table_stats(const struct frag_table *ft);
unsigned frag_table_in_use(const struct frag_table *ft);

#endif
