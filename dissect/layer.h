/* Shared by the per-protocol parsers: the truncated-vs-malformed rule.
 * Every parser is given two lengths for its bytes: `caplen`, how many are in
 * the buffer, and `wirelen`, how many the enclosing layer says exist (the pcap
 * original length, an IP or UDP length field, ...).  A header that needs more
 * than `wirelen` is a lie (malformed); one that needs more than `caplen` but
 * fits `wirelen` was cut by the capture (truncated). */
#ifndef ESPREKEY_LAYER_H
#define ESPREKEY_LAYER_H

#include <stddef.h>

#include "dissect/packet.h"

static inline enum anomaly layer_need(size_t n, size_t caplen, size_t wirelen,
				      enum anomaly truncated, enum anomaly malformed)
{
	if (wirelen < n)
		return malformed;
	if (caplen < n)
		return truncated;
	return AN_NONE;
}

static inline size_t layer_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

#endif
