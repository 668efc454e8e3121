/* IKEv2 Encrypted payload (SK, type 46; RFC 7296 §3.14, RFC 5282, RFC 5930). */
#ifndef ESPREKEY_IKEV2_CRYPTO_H
#define ESPREKEY_IKEV2_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keystore.h"

enum ikev2_verdict {
	IKEV2_OK,
	IKEV2_ICV_FAIL,     /* integrity checksum / AEAD tag wrong */
	IKEV2_TOO_SHORT,    /* SK payload shorter than IV + ICV + pad length, or past the message */
	IKEV2_BAD_LENGTH,   /* ciphertext not a whole number of blocks */
	IKEV2_BAD_PADDING,  /* pad length larger than the plaintext */
	IKEV2_UNSUPPORTED,
	IKEV2_CRYPTO_ERROR,
};

const char *ikev2_verdict_name(enum ikev2_verdict v);

/* Checks and decrypts the SK payload at `sk_off` (its generic payload
 * header) of the IKE message `msg` (from the IKE header on, `msg_len`
 * bytes).  `from_initiator`: the message was sent by the original initiator
 * of the IKE SA (Initiator flag set), so SK_ei/SK_ai apply, else SK_er/SK_ar.
 * The ICV covers the message from the IKE header to just before the ICV;
 * AEAD ciphers authenticate the IKE header through the SK payload header.
 * `out` needs msg_len bytes; on IKEV2_OK it holds the inner payloads (the
 * first one's type is the SK payload's Next Payload), padding removed. */
enum ikev2_verdict ikev2_decrypt_sk(const struct ikev2_key *k, bool from_initiator,
				    const uint8_t *msg, size_t msg_len, size_t sk_off, uint8_t *out,
				    size_t *out_len);

#endif
