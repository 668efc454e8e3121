/* IKEv1 message decryption for one Phase-1 (ISAKMP) SA, with the IV chain of
 * RFC 2409 Appendix B as Wireshark implements it (keys-and-protocols.md §3.2):
 *
 *   Phase-1 IV   = trunc_blocklen(H(g^xi | g^xr))              (message ID 0)
 *   each message of message ID 0 (Main Mode 5, 6) uses the current phase-1
 *   IV, which then becomes its last ciphertext block;
 *   a new message ID M starts with trunc_blocklen(H(last phase-1 block | M));
 *   every further message of M uses the previous M message's last block.
 *
 * Message IVs live in a small bounded table (least recently used dropped).
 * Without g^xi/g^xr (Main Mode not captured) there is no phase-1 IV: the
 * first message of each exchange then decrypts with its first block
 * unknown (zeroed in the output) — CBC still gives every later block — and
 * the status says so.  Later messages of the same exchange chain from the
 * previous message and decrypt fully.  An exact retransmission (same last
 * block as the previous message of its exchange) reuses that message's IV. */
#ifndef ESPREKEY_IKEV1_CRYPTO_H
#define ESPREKEY_IKEV1_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ikev1_status {
	IKEV1_OK,
	IKEV1_FIRST_BLOCK_UNKNOWN, /* no IV for this message: out's first block is zero, the rest right */
	IKEV1_NO_KEY,              /* no Ka set yet */
	IKEV1_NO_TRANSFORM,        /* cipher / hash not set */
	IKEV1_UNSUPPORTED,         /* cipher, key length or hash not supported */
	IKEV1_BAD_LENGTH,          /* body is not a positive multiple of the block size */
	IKEV1_CRYPTO_ERROR,
};

const char *ikev1_status_name(enum ikev1_status s);

#define IKEV1_MAX_MSGIDS 32

struct ikev1_crypto;

struct ikev1_crypto *ikev1_crypto_new(void);
void ikev1_crypto_free(struct ikev1_crypto *c);

/* Phase-1 transform from the responder's SA payload: encryption algorithm
 * (1 DES, 5 3DES, 7 AES-CBC), Key Length attribute in bits (AES only; 0 =
 * take it from Ka's length), hash algorithm (1 MD5, 2 SHA1, 4/5/6 SHA2).
 * False (and status IKEV1_UNSUPPORTED) if not supported. */
bool ikev1_crypto_set_transform(struct ikev1_crypto *c, int enc_alg, unsigned key_bits,
				int hash_alg);
/* Ka, the IKE cipher key; false if its length does not fit the cipher. */
bool ikev1_crypto_set_ka(struct ikev1_crypto *c, const uint8_t *ka, size_t len);
/* KE payload data (without the payload header): g^xi from the initiator,
 * g^xr from the responder.  The first value of each side is kept. */
void ikev1_crypto_set_ke(struct ikev1_crypto *c, bool from_initiator, const uint8_t *ke,
			 size_t len);

/* Decrypts one encrypted message: `body` is everything after the 28-byte
 * ISAKMP header, `len` bytes, into `out` (len bytes).  True only with the
 * right IV (IKEV1_OK); ikev1_last_status() says why not.  The IV chain
 * advances even then (for IKEV1_FIRST_BLOCK_UNKNOWN).  Call once per
 * message, in capture order. */
bool ikev1_decrypt(struct ikev1_crypto *c, uint32_t msgid, const uint8_t *body, size_t len,
		   uint8_t *out);
enum ikev1_status ikev1_last_status(const struct ikev1_crypto *c);

size_t ikev1_crypto_block_len(const struct ikev1_crypto *c);
/* The current phase-1 IV (for tests and debugging); false if unknown. */
bool ikev1_crypto_phase1_iv(const struct ikev1_crypto *c, uint8_t *iv, size_t *len);

#endif
