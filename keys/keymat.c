/* IKEv1 ESP KEYMAT (RFC 2409 §5.5); see keymat.h. */
#include "keys/keymat.h"

#include <gcrypt.h>
#include <string.h>

#include "keys/algs.h"
#include "keys/esp_crypto.h"
#include "keys/secret.h"

/* An HMAC handle keyed for a KEYMAT expansion of out_len bytes (at most
 * 255 prf blocks, as both RFC 2409 and RFC 7296 allow). */
static bool open_prf(int md_algo, const uint8_t *key, size_t len, size_t out_len, gcry_md_hd_t *md,
		     size_t *dlen)
{
	if (!md_algo || !len || !esprekey_gcrypt_init())
		return false;
	*dlen = gcry_md_get_algo_dlen(md_algo);
	if (out_len > 255 * *dlen || gcry_md_open(md, md_algo, GCRY_MD_FLAG_HMAC))
		return false;
	if (gcry_md_setkey(*md, key, len)) {
		gcry_md_close(*md);
		return false;
	}
	return true;
}

bool ikev1_keymat(int hash_alg, const uint8_t *skeyid_d, size_t len, uint8_t protocol,
		  uint32_t spi, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		  uint8_t *out, size_t out_len)
{
	int md_algo = ikev1_hash_to_gcry(hash_alg);
	gcry_md_hd_t md;
	size_t dlen;
	if (!open_prf(md_algo, skeyid_d, len, out_len, &md, &dlen))
		return false;
	uint8_t seed_hdr[5] = { protocol, (uint8_t)(spi >> 24), (uint8_t)(spi >> 16),
				(uint8_t)(spi >> 8), (uint8_t)spi };
	size_t done = 0;
	const uint8_t *prev = NULL;
	while (done < out_len) {
		gcry_md_reset(md);
		if (prev)
			gcry_md_write(md, prev, dlen);
		gcry_md_write(md, seed_hdr, sizeof seed_hdr);
		gcry_md_write(md, ni, ni_len);
		gcry_md_write(md, nr, nr_len);
		const uint8_t *k = gcry_md_read(md, md_algo);
		size_t n = out_len - done < dlen ? out_len - done : dlen;
		memcpy(out + done, k, n);
		prev = out + done; /* K(n) is needed whole only if n == dlen */
		done += n;
	}
	gcry_md_close(md);
	return true;
}

static bool map_transform(const struct ikev1_esp_transform *t, enum esp_enc *enc, size_t *enc_len,
			  enum esp_auth *auth, size_t *auth_len)
{
	unsigned bits = t->key_bits ? t->key_bits : 128;
	size_t aes = bits / 8;
	if (bits != 128 && bits != 192 && bits != 256)
		aes = 0;
	switch (t->transform_id) {
	case IKEV1_ESP_DES:
		*enc = ESP_ENC_DES_CBC, *enc_len = 8;
		break;
	case IKEV1_ESP_3DES:
		*enc = ESP_ENC_3DES_CBC, *enc_len = 24;
		break;
	case IKEV1_ESP_NULL:
		*enc = ESP_ENC_NULL, *enc_len = 0;
		break;
	case IKEV1_ESP_AES_CBC:
		*enc = ESP_ENC_AES_CBC, *enc_len = aes;
		break;
	case IKEV1_ESP_AES_CTR:
		*enc = ESP_ENC_AES_CTR, *enc_len = aes ? aes + 4 : 0;
		break;
	case IKEV1_ESP_AES_GCM_8:
		*enc = ESP_ENC_AES_GCM_8, *enc_len = aes ? aes + 4 : 0;
		break;
	case IKEV1_ESP_AES_GCM_12:
		*enc = ESP_ENC_AES_GCM_12, *enc_len = aes ? aes + 4 : 0;
		break;
	case IKEV1_ESP_AES_GCM_16:
		*enc = ESP_ENC_AES_GCM_16, *enc_len = aes ? aes + 4 : 0;
		break;
	default:
		return false;
	}
	if (*enc != ESP_ENC_NULL && *enc_len == 0)
		return false;
	switch (t->auth_alg) {
	case IKEV1_AUTH_NONE:
		*auth = ESP_AUTH_NULL, *auth_len = 0;
		break;
	case IKEV1_AUTH_HMAC_MD5:
		*auth = ESP_AUTH_HMAC_MD5_96, *auth_len = 16;
		break;
	case IKEV1_AUTH_HMAC_SHA1:
		*auth = ESP_AUTH_HMAC_SHA1_96, *auth_len = 20;
		break;
	case IKEV1_AUTH_HMAC_SHA2_256:
		*auth = ESP_AUTH_HMAC_SHA256_128, *auth_len = 32;
		break;
	case IKEV1_AUTH_HMAC_SHA2_384:
		*auth = ESP_AUTH_HMAC_SHA384_192, *auth_len = 48;
		break;
	case IKEV1_AUTH_HMAC_SHA2_512:
		*auth = ESP_AUTH_HMAC_SHA512_256, *auth_len = 64;
		break;
	default:
		return false;
	}
	if (esp_enc_is_aead(*enc) && *auth != ESP_AUTH_NULL)
		return false;
	return true;
}

bool ikev1_esp_key_derive(struct esp_key *k, int hash_alg, const uint8_t *skeyid_d, size_t len,
			  const struct ikev1_esp_transform *t, uint32_t spi, const uint8_t *ni,
			  size_t ni_len, const uint8_t *nr, size_t nr_len, const struct addr *src,
			  const struct addr *dst)
{
	enum esp_enc enc;
	enum esp_auth auth;
	size_t el, al;
	if (!map_transform(t, &enc, &el, &auth, &al))
		return false;
	uint8_t km[ESP_ENC_KEY_MAX + ESP_AUTH_KEY_MAX];
	if (!ikev1_keymat(hash_alg, skeyid_d, len, IKEV1_PROTO_ESP, spi, ni, ni_len, nr, nr_len, km,
			  el + al))
		return false;
	memset(k, 0, sizeof *k);
	esp_key_set_selector(k, spi, src, dst);
	k->enc = enc;
	k->auth = auth;
	memcpy(k->enc_key, km, el);
	k->enc_key_len = el;
	memcpy(k->auth_key, km + el, al);
	k->auth_key_len = al;
	k->esn = t->esn;
	secret_wipe(km, sizeof km);
	return true;
}

/* IKEv2 PRF transform ids (RFC 7296 §3.3.2) to libgcrypt hashes. */
static int ikev2_prf_md(int prf_id)
{
	switch (prf_id) {
	case 1: return GCRY_MD_MD5;
	case 2: return GCRY_MD_SHA1;
	case 5: return GCRY_MD_SHA256;
	case 6: return GCRY_MD_SHA384;
	case 7: return GCRY_MD_SHA512;
	default: return 0;
	}
}

/* IKEv2 INTEG transform ids to the IKEv1 authentication algorithm values
 * map_transform() takes. */
static int ikev2_integ_to_v1(int integ_id)
{
	switch (integ_id) {
	case 0: return IKEV1_AUTH_NONE;
	case 1: return IKEV1_AUTH_HMAC_MD5;
	case 2: return IKEV1_AUTH_HMAC_SHA1;
	case 12: return IKEV1_AUTH_HMAC_SHA2_256;
	case 13: return IKEV1_AUTH_HMAC_SHA2_384;
	case 14: return IKEV1_AUTH_HMAC_SHA2_512;
	default: return -1;
	}
}

bool ikev2_keymat(int prf_id, const uint8_t *sk_d, size_t len, const uint8_t *ni, size_t ni_len,
		  const uint8_t *nr, size_t nr_len, uint8_t *out, size_t out_len)
{
	int md_algo = ikev2_prf_md(prf_id);
	gcry_md_hd_t md;
	size_t dlen;
	if (!open_prf(md_algo, sk_d, len, out_len, &md, &dlen))
		return false;
	/* prf+: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), S = Ni | Nr */
	uint8_t prev[64];
	size_t done = 0;
	for (uint8_t n = 1; done < out_len; n++) {
		gcry_md_reset(md);
		if (n > 1)
			gcry_md_write(md, prev, dlen);
		gcry_md_write(md, ni, ni_len);
		gcry_md_write(md, nr, nr_len);
		gcry_md_write(md, &n, 1);
		memcpy(prev, gcry_md_read(md, md_algo), dlen);
		size_t take = out_len - done < dlen ? out_len - done : dlen;
		memcpy(out + done, prev, take);
		done += take;
	}
	gcry_md_close(md);
	secret_wipe(prev, sizeof prev);
	return true;
}

bool ikev2_esp_keys_derive(struct esp_key *i_to_r, struct esp_key *r_to_i, int prf_id, const uint8_t *sk_d,
			   size_t len, const struct ikev2_esp_transform *t, uint32_t spi_i, uint32_t spi_r,
			   const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
			   const struct addr *initiator, const struct addr *responder)
{
	struct ikev1_esp_transform v1 = { .transform_id = t->encr_id, .key_bits = t->key_bits,
					  .auth_alg = ikev2_integ_to_v1(t->integ_id), .esn = t->esn };
	enum esp_enc enc;
	enum esp_auth auth;
	size_t el, al;
	if (v1.auth_alg < 0 || !map_transform(&v1, &enc, &el, &auth, &al))
		return false;
	uint8_t km[2 * (ESP_ENC_KEY_MAX + ESP_AUTH_KEY_MAX)];
	if (!ikev2_keymat(prf_id, sk_d, len, ni, ni_len, nr, nr_len, km, 2 * (el + al)))
		return false;
	/* encr_i | integ_i | encr_r | integ_r; the initiator's keys protect
	 * what it sends, which carries the responder's SPI */
	struct esp_key *keys[2] = { i_to_r, r_to_i };
	uint32_t spis[2] = { spi_r, spi_i };
	const struct addr *src[2] = { initiator, responder }, *dst[2] = { responder, initiator };
	for (int d = 0; d < 2; d++) {
		struct esp_key *k = keys[d];
		const uint8_t *base = km + d * (el + al);
		memset(k, 0, sizeof *k);
		esp_key_set_selector(k, spis[d], src[d], dst[d]);
		k->enc = enc;
		k->auth = auth;
		memcpy(k->enc_key, base, el);
		k->enc_key_len = el;
		memcpy(k->auth_key, base + el, al);
		k->auth_key_len = al;
		k->esn = t->esn;
	}
	secret_wipe(km, sizeof km);
	return true;
}
