/* ESP decryption and ICV check for one SA.
 *
 * esp_crypto_open() opens the libgcrypt cipher and HMAC handles once and
 * sets their keys once; per packet only the IV / counter / nonce is set and
 * the HMAC state reset (libgcrypt keeps the keyed inner/outer pads).
 * Decryption goes straight into the caller's buffer; nothing is allocated
 * per packet. */
#ifndef ESPREKEY_ESP_CRYPTO_H
#define ESPREKEY_ESP_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keystore.h"

enum esp_verdict {
	ESP_OK,
	ESP_ICV_FAIL,      /* HMAC or AEAD tag does not match: wrong key or damaged packet */
	ESP_BAD_PADDING,   /* decrypted, but pad length / pad bytes (1,2,3,...) are wrong */
	ESP_TOO_SHORT,     /* shorter than header + IV + ICV + pad length + next header */
	ESP_BAD_LENGTH,    /* ciphertext is not a whole number of cipher blocks */
	ESP_CRYPTO_ERROR,  /* libgcrypt refused an operation */
};

const char *esp_verdict_name(enum esp_verdict v); /* "ok", "icv-fail", ... */

/* Initialises libgcrypt once (version check, no secure memory) unless the
 * application already did; every *_open in keys/ calls it. */
bool esprekey_gcrypt_init(void);

struct esp_crypto;

/* NULL if libgcrypt refuses the algorithm or key (cannot happen for keys
 * the key-file readers accepted). */
struct esp_crypto *esp_crypto_open(const struct esp_key *k);
void esp_crypto_close(struct esp_crypto *c);

/* Bytes of ESP header + IV and of ICV for this SA. */
size_t esp_crypto_overhead(const struct esp_crypto *c, size_t *icv_len);

/* Checks and decrypts one ESP packet `esp` (from the SPI through the ICV,
 * `len` bytes).  `esn_high` is the upper half of the 64-bit sequence number
 * (used only if the SA has ESN).  `plain` needs room for `len` bytes; on
 * ESP_OK it holds the payload without padding, pad length and next header
 * (*plain_len bytes) and *next_header is set; on ESP_BAD_PADDING it holds
 * the whole decrypted payload including the trailer (len - overhead - ICV
 * bytes).  An HMAC ICV is verified (in constant time) before anything is
 * decrypted, an AEAD tag by libgcrypt's checktag; "ANY N bit" ICVs are
 * skipped. */
enum esp_verdict esp_crypto_decrypt(struct esp_crypto *c, const uint8_t *esp, size_t len,
				    uint32_t esn_high, uint8_t *plain, size_t *plain_len,
				    uint8_t *next_header);

#endif
