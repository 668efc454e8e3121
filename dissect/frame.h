/* The outer walker: link → IP (→ reassembly) → UDP → ESP / IKE. */
#ifndef ESPREKEY_FRAME_H
#define ESPREKEY_FRAME_H

#include <stdint.h>

#include "dissect/frag.h"
#include "dissect/packet.h"

/* Fills *out for one captured frame (it is cleared first).
 *
 * Fragments: with ft == NULL they are not reassembled and come back as
 * FK_IP_OTHER.  With a table, fragments of UDP and ESP datagrams (the only
 * ones that can be IKE or ESP) yield FK_FRAGMENT_HELD (src, dst, ip_proto,
 * ip_len of the fragment set) until the one that completes the datagram,
 * which is then dissected whole with out->reassembled, frag_ip_bytes and
 * frag_count set; a dropped one yields FK_ANOMALY / AN_IP_FRAG_DROPPED.
 * Fragments of other protocols are FK_IP_OTHER without using the table.
 *
 * Pointers (out->esp, out->ike) point into `data` or into the table's pool,
 * valid until the next dissect_frame call on the same table (and while `data`
 * lives).  FK_ESP guarantees spi/seq; FK_IKE guarantees the 28-byte ISAKMP
 * header is captured and its version byte is 1.x or 2.x (its length field and
 * payload chain are for isakmp_header_parse / the iterator to judge).  An
 * unsupported dlt gives FK_NOT_IP: check link_supported() once per file. */
void dissect_frame(struct frag_table *ft, int dlt, uint64_t ts_ns, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen, struct frame *out);

#endif
