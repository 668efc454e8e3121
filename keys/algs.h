/* Algorithm names and sizes for every key-file shape esprekey reads.
 *
 * The ESP names are exactly Wireshark 4.x's esp_sa UAT strings
 * (epan/dissectors/packet-ipsec.c), the IKEv2 names exactly its
 * ikev2_decryption_table strings (packet-isakmp.c); see
 * shared/docs/keys-and-protocols.md §2.  Only tables and pure functions here:
 * no key material. */
#ifndef ESPREKEY_ALGS_H
#define ESPREKEY_ALGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ESP encryption, in Wireshark's order. */
enum esp_enc {
	ESP_ENC_NULL,
	ESP_ENC_3DES_CBC,
	ESP_ENC_AES_CBC,
	ESP_ENC_AES_CTR,
	ESP_ENC_DES_CBC,
	ESP_ENC_CAST5_CBC,
	ESP_ENC_BLOWFISH_CBC,
	ESP_ENC_TWOFISH_CBC,
	ESP_ENC_AES_GCM,       /* deprecated name without ICV length: ICV from the auth column, else 16 */
	ESP_ENC_AES_GCM_8,
	ESP_ENC_AES_GCM_12,
	ESP_ENC_AES_GCM_16,
	ESP_ENC_AES_GCM_16_IIV,    /* RFC 8750 implicit IV */
	ESP_ENC_CHACHA20_POLY1305,
	ESP_ENC_CHACHA20_POLY1305_IIV,
	ESP_ENC_COUNT
};

/* ESP authentication, in Wireshark's order. */
enum esp_auth {
	ESP_AUTH_NULL,
	ESP_AUTH_HMAC_SHA1_96,
	ESP_AUTH_HMAC_SHA256_96,
	ESP_AUTH_HMAC_SHA256_128,
	ESP_AUTH_HMAC_SHA384_192,
	ESP_AUTH_HMAC_SHA512_256,
	ESP_AUTH_HMAC_MD5_96,
	ESP_AUTH_HMAC_RIPEMD160_96,
	ESP_AUTH_ANY_64,
	ESP_AUTH_ANY_96,
	ESP_AUTH_ANY_128,
	ESP_AUTH_ANY_192,
	ESP_AUTH_ANY_256,
	ESP_AUTH_COUNT
};

/* Largest keys any algorithm above accepts (AES-256 + 4-byte salt; SHA-512). */
#define ESP_ENC_KEY_MAX 36
#define ESP_AUTH_KEY_MAX 64

const char *esp_enc_name(enum esp_enc e);     /* the exact Wireshark string */
const char *esp_auth_name(enum esp_auth a);
bool esp_enc_from_name(const char *s, enum esp_enc *out);
bool esp_auth_from_name(const char *s, enum esp_auth *out);

/* Whether `len` is a valid key length for the algorithm (AES-CTR/GCM and
 * ChaCha20 keys include the trailing 4-byte salt). */
bool esp_enc_key_len_ok(enum esp_enc e, size_t len);
bool esp_auth_key_len_ok(enum esp_auth a, size_t len);
/* Human text of the valid lengths, for error messages: "16, 24 or 32". */
const char *esp_enc_key_lens_text(enum esp_enc e);
const char *esp_auth_key_lens_text(enum esp_auth a);
bool esp_enc_is_aead(enum esp_enc e);
/* ICV length in bytes of the SA (for AEAD ciphers the cipher's tag length). */
size_t esp_icv_len(enum esp_enc e, enum esp_auth a);

/* IKEv2 (ikev2_decryption_table) encryption and integrity. */
enum ikev2_enc {
	IKEV2_ENC_3DES,
	IKEV2_ENC_AES_CBC_128,
	IKEV2_ENC_AES_CBC_192,
	IKEV2_ENC_AES_CBC_256,
	IKEV2_ENC_NULL,
	IKEV2_ENC_AES_CTR_128,
	IKEV2_ENC_AES_CTR_192,
	IKEV2_ENC_AES_CTR_256,
	IKEV2_ENC_AES_GCM_128_8,
	IKEV2_ENC_AES_GCM_192_8,
	IKEV2_ENC_AES_GCM_256_8,
	IKEV2_ENC_AES_GCM_128_12,
	IKEV2_ENC_AES_GCM_192_12,
	IKEV2_ENC_AES_GCM_256_12,
	IKEV2_ENC_AES_GCM_128_16,
	IKEV2_ENC_AES_GCM_192_16,
	IKEV2_ENC_AES_GCM_256_16,
	IKEV2_ENC_AES_CCM_128_8,
	IKEV2_ENC_AES_CCM_192_8,
	IKEV2_ENC_AES_CCM_256_8,
	IKEV2_ENC_AES_CCM_128_12,
	IKEV2_ENC_AES_CCM_192_12,
	IKEV2_ENC_AES_CCM_256_12,
	IKEV2_ENC_AES_CCM_128_16,
	IKEV2_ENC_AES_CCM_192_16,
	IKEV2_ENC_AES_CCM_256_16,
	IKEV2_ENC_COUNT
};

enum ikev2_integ {
	IKEV2_INTEG_NONE,
	IKEV2_INTEG_HMAC_MD5_96,
	IKEV2_INTEG_HMAC_SHA1_96,
	IKEV2_INTEG_HMAC_MD5_128,
	IKEV2_INTEG_HMAC_SHA1_160,
	IKEV2_INTEG_HMAC_SHA2_256_96,
	IKEV2_INTEG_HMAC_SHA2_256_128,
	IKEV2_INTEG_HMAC_SHA2_384_192,
	IKEV2_INTEG_HMAC_SHA2_512_256,
	IKEV2_INTEG_ANY_64,
	IKEV2_INTEG_ANY_96,
	IKEV2_INTEG_ANY_128,
	IKEV2_INTEG_ANY_160,
	IKEV2_INTEG_ANY_192,
	IKEV2_INTEG_ANY_256,
	IKEV2_INTEG_COUNT
};

const char *ikev2_enc_name(enum ikev2_enc e);
const char *ikev2_integ_name(enum ikev2_integ i);
bool ikev2_enc_from_name(const char *s, enum ikev2_enc *out);
bool ikev2_integ_from_name(const char *s, enum ikev2_integ *out);

/* Sizes of an IKEv2 algorithm.  key_len includes the salt (4 for CTR/GCM,
 * 3 for CCM), as in Wireshark's table. */
struct ikev2_enc_info {
	int gcry_algo;    /* GCRY_CIPHER_*, 0 for NULL */
	int gcry_mode;    /* GCRY_CIPHER_MODE_* */
	size_t key_len;   /* SK_e length incl. salt */
	size_t salt_len;
	size_t iv_len;    /* on the wire */
	size_t block_len; /* padding alignment */
	size_t icv_len;   /* AEAD tag length, 0 if not AEAD */
};
struct ikev2_integ_info {
	int gcry_md;      /* GCRY_MD_*, 0 for NONE / ANY */
	size_t key_len;   /* SK_a length, 0 = any */
	size_t icv_len;
};
const struct ikev2_enc_info *ikev2_enc_info(enum ikev2_enc e);
const struct ikev2_integ_info *ikev2_integ_info(enum ikev2_integ i);

/* IKEv1 Phase-1 attribute values (RFC 2409 App. A). */
enum {
	IKEV1_ENC_DES = 1,
	IKEV1_ENC_3DES = 5,
	IKEV1_ENC_AES_CBC = 7,
};
enum {
	IKEV1_HASH_MD5 = 1,
	IKEV1_HASH_SHA1 = 2,
	IKEV1_HASH_SHA2_256 = 4,
	IKEV1_HASH_SHA2_384 = 5,
	IKEV1_HASH_SHA2_512 = 6,
};
/* GCRY_MD_* for an IKEv1 hash id, 0 if unknown. */
int ikev1_hash_to_gcry(int hash_alg);

/* IKEv1 phase-2 ESP transform ids (RFC 2407 §4.4.4, IANA) and
 * authentication algorithm attribute values (RFC 2407 §4.5). */
enum {
	IKEV1_ESP_DES = 2,
	IKEV1_ESP_3DES = 3,
	IKEV1_ESP_NULL = 11,
	IKEV1_ESP_AES_CBC = 12,
	IKEV1_ESP_AES_CTR = 13,
	IKEV1_ESP_AES_GCM_8 = 18,
	IKEV1_ESP_AES_GCM_12 = 19,
	IKEV1_ESP_AES_GCM_16 = 20,
};
enum {
	IKEV1_AUTH_NONE = 0,
	IKEV1_AUTH_HMAC_MD5 = 1,
	IKEV1_AUTH_HMAC_SHA1 = 2,
	IKEV1_AUTH_HMAC_SHA2_256 = 5,
	IKEV1_AUTH_HMAC_SHA2_384 = 6,
	IKEV1_AUTH_HMAC_SHA2_512 = 7,
};

#endif
