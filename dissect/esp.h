/* ESP (RFC 4303), its UDP encapsulation (RFC 3948), and the plaintext trailer. */
#ifndef ESPREKEY_ESP_H
#define ESPREKEY_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/packet.h"

#define IKE_PORT 500
#define NATT_PORT 4500

struct esp_info {
	uint32_t spi, seq;
	const uint8_t *p;   /* at the SPI */
	uint32_t len;       /* SPI through ICV, from the enclosing length field */
	uint32_t caplen;    /* how much of it is in the buffer */
};

/* ESP needs only its SPI and sequence number captured (8 bytes). */
enum anomaly esp_parse(const uint8_t *p, size_t caplen, size_t len, struct esp_info *out);

/* What a UDP payload on port 4500 is (RFC 3948 §2). */
enum natt_kind {
	NATT_ESP,       /* first 4 bytes non-zero: the SPI */
	NATT_IKE,       /* the 4-byte zero non-ESP marker, then an ISAKMP message */
	NATT_KEEPALIVE, /* the single byte 0xff */
};
/* p/caplen/len: the UDP payload.  On AN_NONE *kind says which; for NATT_IKE the
 * message starts at p + 4.  Anomalies are ESP_* (too short to tell, or cut
 * before the first 4 bytes). */
enum anomaly natt_classify(const uint8_t *p, size_t caplen, size_t len, enum natt_kind *kind);

/* The ESP trailer of a decrypted payload (everything after IV, without ICV):
 * ... payload | padding | pad length | next header.  Sets the next header and
 * the length of the payload before the padding; ESP_MALFORMED if the pad
 * length does not fit.  *pad_ok says whether the padding is the default
 * 1, 2, 3, ... sequence (a wrong key usually breaks it). */
enum anomaly esp_trailer_parse(const uint8_t *plain, size_t len, uint8_t *next_header,
			       size_t *payload_len, bool *pad_ok);

#endif
