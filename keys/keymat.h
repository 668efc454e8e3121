/* IKEv1 KEYMAT for ESP (RFC 2409 §5.5, keys-and-protocols.md §4.4):
 *
 *   seed   = protocol (1 byte, ESP = 3) | SPI (4 bytes, network order) | Ni_b | Nr_b
 *   K1     = prf(SKEYID_d, seed),  K(n+1) = prf(SKEYID_d, K(n) | seed)
 *   KEYMAT = K1 | K2 | ...;  encryption key first, then authentication key
 *
 * prf = HMAC with the Phase-1 hash.  Ni_b / Nr_b are the Quick Mode nonce
 * bodies.  The keys of the SA that carries SPI x on the wire are derived
 * with x: initiator->responder traffic uses the responder's SPI (from QM
 * message 2), responder->initiator traffic the initiator's SPI (QM 1).
 * Without PFS only; with PFS g(qm)^xy would precede the protocol byte and
 * cannot be known from a capture. */
#ifndef ESPREKEY_KEYMAT_H
#define ESPREKEY_KEYMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keystore.h"

#define IKEV1_PROTO_ESP 3

/* hash_alg: IKEv1 Phase-1 hash id (1 MD5, 2 SHA1, 4/5/6 SHA2).  Writes
 * out_len bytes of KEYMAT (at most 255 prf blocks). */
bool ikev1_keymat(int hash_alg, const uint8_t *skeyid_d, size_t len, uint8_t protocol,
		  uint32_t spi, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		  uint8_t *out, size_t out_len);

/* The ESP transform negotiated in Quick Mode. */
struct ikev1_esp_transform {
	int transform_id;  /* 2 DES, 3 3DES, 11 NULL, 12 AES-CBC, 13 AES-CTR, 18/19/20 AES-GCM-8/12/16 */
	unsigned key_bits; /* Key Length attribute (AES); 0 = 128 */
	int auth_alg;      /* 0 none, 1 HMAC-MD5, 2 HMAC-SHA1, 5/6/7 HMAC-SHA2-256/384/512 */
	bool esn;
};

/* Builds a complete esp_key for the SA with this SPI: algorithm mapping,
 * KEYMAT split into encryption key (+4-byte salt for CTR/GCM) and
 * authentication key, selector for (spi, src, dst) (NULL = any).  Returns
 * false for transforms it cannot map.  Add it with keystore_add_esp(ks, k,
 * "derived (KEYMAT)"). */
bool ikev1_esp_key_derive(struct esp_key *k, int hash_alg, const uint8_t *skeyid_d, size_t len,
			  const struct ikev1_esp_transform *t, uint32_t spi, const uint8_t *ni,
			  size_t ni_len, const uint8_t *nr, size_t nr_len, const struct addr *src,
			  const struct addr *dst);

/* IKEv2 (RFC 7296 §2.17): KEYMAT = prf+(SK_d, Ni | Nr) with the IKE SA's
 * PRF (transform id 1 MD5, 2 SHA1, 5/6/7 SHA2-256/384/512).  No PFS. */
bool ikev2_keymat(int prf_id, const uint8_t *sk_d, size_t len, const uint8_t *ni, size_t ni_len,
		  const uint8_t *nr, size_t nr_len, uint8_t *out, size_t out_len);

/* A child SA's ESP transform as IKEv2 negotiates it. */
struct ikev2_esp_transform {
	int encr_id;       /* ENCR: 3 3DES, 12 AES-CBC, 13 AES-CTR, 18/19/20 AES-GCM-8/12/16 */
	unsigned key_bits; /* Key Length attribute; 0 = 128 */
	int integ_id;      /* INTEG: 0 none, 1 MD5-96, 2 SHA1-96, 12/13/14 SHA2-256/384/512 */
	bool esn;
};

/* Both ESP keys of a child SA: from the exchange's initiator to its responder
 * (the responder's SPI on the wire), and back (the initiator's SPI). */
bool ikev2_esp_keys_derive(struct esp_key *i_to_r, struct esp_key *r_to_i, int prf_id, const uint8_t *sk_d,
			   size_t len, const struct ikev2_esp_transform *t, uint32_t spi_i, uint32_t spi_r,
			   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			   const struct addr *initiator, const struct addr *responder);

#endif
