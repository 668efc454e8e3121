/* ESP (RFC 4303) decryption: CBC ciphers with an HMAC, AES-CTR (RFC 3686),
 * AES-GCM (RFC 4106, RFC 8750 implicit IV), ChaCha20-Poly1305 (RFC 7634),
 * NULL. */
#include "keys/esp_crypto.h"

#include <gcrypt.h>
#include <string.h>

#include "keys/secret.h"

#define ESP_HDR 8

enum esp_mode { M_NULL, M_CBC, M_CTR, M_AEAD };

struct esp_crypto {
	enum esp_mode mode;
	gcry_cipher_hd_t cipher;
	gcry_md_hd_t md;      /* NULL unless an HMAC is checked */
	int md_algo;
	size_t iv_len;        /* on the wire */
	size_t block_len;     /* ciphertext alignment */
	size_t icv_len;
	bool implicit_iv;     /* RFC 8750 */
	bool esn;
	uint8_t salt[4];
	uint8_t nonce[16];    /* per-packet counter block / nonce scratch */
};

bool esprekey_gcrypt_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P))
		return true;
	if (!gcry_check_version("1.8.0"))
		return false;
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return true;
}

const char *esp_verdict_name(enum esp_verdict v)
{
	switch (v) {
	case ESP_OK:
		return "ok";
	case ESP_ICV_FAIL:
		return "icv-fail";
	case ESP_BAD_PADDING:
		return "bad-padding";
	case ESP_TOO_SHORT:
		return "too-short";
	case ESP_BAD_LENGTH:
		return "bad-length";
	case ESP_CRYPTO_ERROR:
		return "crypto-error";
	}
	return "?";
}

static int aes_algo(size_t key_len)
{
	switch (key_len) {
	case 16:
		return GCRY_CIPHER_AES128;
	case 24:
		return GCRY_CIPHER_AES192;
	case 32:
		return GCRY_CIPHER_AES256;
	default:
		return 0;
	}
}

static int auth_md(enum esp_auth a)
{
	switch (a) {
	case ESP_AUTH_HMAC_SHA1_96:
		return GCRY_MD_SHA1;
	case ESP_AUTH_HMAC_SHA256_96:
	case ESP_AUTH_HMAC_SHA256_128:
		return GCRY_MD_SHA256;
	case ESP_AUTH_HMAC_SHA384_192:
		return GCRY_MD_SHA384;
	case ESP_AUTH_HMAC_SHA512_256:
		return GCRY_MD_SHA512;
	case ESP_AUTH_HMAC_MD5_96:
		return GCRY_MD_MD5;
	case ESP_AUTH_HMAC_RIPEMD160_96:
		return GCRY_MD_RMD160;
	default:
		return 0; /* NULL, ANY N bit */
	}
}

struct esp_crypto *esp_crypto_open(const struct esp_key *k)
{
	if (!esprekey_gcrypt_init())
		return NULL;
	struct esp_crypto *c = g_new0(struct esp_crypto, 1);
	int algo = 0, gmode = 0;
	size_t key_len = k->enc_key_len;

	c->icv_len = esp_icv_len(k->enc, k->auth);
	c->esn = k->esn;
	c->block_len = 1;
	switch (k->enc) {
	case ESP_ENC_NULL:
		c->mode = M_NULL;
		break;
	case ESP_ENC_3DES_CBC:
		c->mode = M_CBC;
		algo = GCRY_CIPHER_3DES;
		break;
	case ESP_ENC_DES_CBC:
		c->mode = M_CBC;
		algo = GCRY_CIPHER_DES;
		break;
	case ESP_ENC_AES_CBC:
		c->mode = M_CBC;
		algo = aes_algo(key_len);
		break;
	case ESP_ENC_CAST5_CBC:
		c->mode = M_CBC;
		algo = GCRY_CIPHER_CAST5;
		break;
	case ESP_ENC_BLOWFISH_CBC:
		c->mode = M_CBC;
		algo = GCRY_CIPHER_BLOWFISH;
		break;
	case ESP_ENC_TWOFISH_CBC:
		c->mode = M_CBC;
		algo = key_len == 16 ? GCRY_CIPHER_TWOFISH128 : GCRY_CIPHER_TWOFISH;
		break;
	case ESP_ENC_AES_CTR:
		c->mode = M_CTR;
		key_len -= 4;
		algo = aes_algo(key_len);
		gmode = GCRY_CIPHER_MODE_CTR;
		c->iv_len = 8;
		break;
	case ESP_ENC_AES_GCM:
	case ESP_ENC_AES_GCM_8:
	case ESP_ENC_AES_GCM_12:
	case ESP_ENC_AES_GCM_16:
	case ESP_ENC_AES_GCM_16_IIV:
		c->mode = M_AEAD;
		key_len -= 4;
		algo = aes_algo(key_len);
		gmode = GCRY_CIPHER_MODE_GCM;
		c->implicit_iv = k->enc == ESP_ENC_AES_GCM_16_IIV;
		c->iv_len = c->implicit_iv ? 0 : 8;
		break;
	case ESP_ENC_CHACHA20_POLY1305:
	case ESP_ENC_CHACHA20_POLY1305_IIV:
		c->mode = M_AEAD;
		key_len -= 4;
		algo = GCRY_CIPHER_CHACHA20;
		gmode = GCRY_CIPHER_MODE_POLY1305;
		c->implicit_iv = k->enc == ESP_ENC_CHACHA20_POLY1305_IIV;
		c->iv_len = c->implicit_iv ? 0 : 8;
		break;
	case ESP_ENC_COUNT:
		goto fail;
	}
	if (c->mode == M_CBC) {
		gmode = GCRY_CIPHER_MODE_CBC;
		if (!algo)
			goto fail;
		c->iv_len = c->block_len = gcry_cipher_get_algo_blklen(algo);
	}
	if ((c->mode == M_CTR || c->mode == M_AEAD) && k->enc_key_len < 20)
		goto fail;
	if (c->mode != M_NULL) {
		if (!algo || gcry_cipher_open(&c->cipher, algo, gmode, 0))
			goto fail;
		/* decrypt what was sent, even under a DES weak key */
		if (gcry_cipher_ctl(c->cipher, GCRYCTL_SET_ALLOW_WEAK_KEY, NULL, 1))
			goto fail;
		gcry_error_t err = gcry_cipher_setkey(c->cipher, k->enc_key, key_len);
		if (err && gcry_err_code(err) != GPG_ERR_WEAK_KEY) /* weak: reported, key set */
			goto fail;
		if (c->mode == M_CTR || c->mode == M_AEAD)
			memcpy(c->salt, k->enc_key + key_len, 4);
	}
	if (c->mode != M_AEAD && (c->md_algo = auth_md(k->auth)) != 0) {
		if (gcry_md_open(&c->md, c->md_algo, GCRY_MD_FLAG_HMAC))
			goto fail;
		if (gcry_md_setkey(c->md, k->auth_key, k->auth_key_len))
			goto fail;
	}
	return c;
fail:
	esp_crypto_close(c);
	return NULL;
}

void esp_crypto_close(struct esp_crypto *c)
{
	if (!c)
		return;
	if (c->cipher)
		gcry_cipher_close(c->cipher);
	if (c->md)
		gcry_md_close(c->md);
	secret_wipe(c, sizeof *c);
	g_free(c);
}

size_t esp_crypto_overhead(const struct esp_crypto *c, size_t *icv_len)
{
	if (icv_len)
		*icv_len = c->icv_len;
	return ESP_HDR + c->iv_len;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

enum esp_verdict esp_crypto_decrypt(struct esp_crypto *c, const uint8_t *esp, size_t len,
				    uint32_t esn_high, uint8_t *plain, size_t *plain_len,
				    uint8_t *next_header)
{
	if (len < ESP_HDR + c->iv_len + c->icv_len + 2)
		return ESP_TOO_SHORT;
	const uint8_t *iv = esp + ESP_HDR;
	const uint8_t *ct = iv + c->iv_len;
	size_t ct_len = len - ESP_HDR - c->iv_len - c->icv_len;
	const uint8_t *icv = ct + ct_len;
	if (c->block_len > 1 && ct_len % c->block_len)
		return ESP_BAD_LENGTH;

	if (c->md) {
		/* RFC 4303 §2.8: the ICV covers SPI..ciphertext, then (ESN) the
		 * high-order 32 bits of the sequence number. */
		gcry_md_reset(c->md);
		gcry_md_write(c->md, esp, len - c->icv_len);
		if (c->esn) {
			uint8_t hi[4];
			put32(hi, esn_high);
			gcry_md_write(c->md, hi, 4);
		}
		const uint8_t *mac = gcry_md_read(c->md, c->md_algo);
		if (!mac)
			return ESP_CRYPTO_ERROR;
		if (!ct_memeq(mac, icv, c->icv_len))
			return ESP_ICV_FAIL;
	}

	gcry_error_t err = 0;
	switch (c->mode) {
	case M_NULL:
		memmove(plain, ct, ct_len);
		break;
	case M_CBC:
		err = gcry_cipher_setiv(c->cipher, iv, c->iv_len);
		if (!err)
			err = gcry_cipher_decrypt(c->cipher, plain, ct_len, ct, ct_len);
		break;
	case M_CTR:
		/* RFC 3686 §4: nonce (salt) | IV | block counter starting at 1 */
		memcpy(c->nonce, c->salt, 4);
		memcpy(c->nonce + 4, iv, 8);
		put32(c->nonce + 12, 1);
		err = gcry_cipher_setctr(c->cipher, c->nonce, 16);
		if (!err)
			err = gcry_cipher_decrypt(c->cipher, plain, ct_len, ct, ct_len);
		break;
	case M_AEAD: {
		/* RFC 4106 §4 / RFC 7634 §2: nonce = salt | IV (RFC 8750: the
		 * IV is the 64-bit sequence number).  AAD (§5): SPI | seq, or
		 * SPI | ESN high | seq with ESN. */
		memcpy(c->nonce, c->salt, 4);
		if (c->implicit_iv) {
			put32(c->nonce + 4, c->esn ? esn_high : 0);
			memcpy(c->nonce + 8, esp + 4, 4);
		} else {
			memcpy(c->nonce + 4, iv, 8);
		}
		uint8_t aad[12];
		size_t aad_len = 8;
		memcpy(aad, esp, 4);
		if (c->esn) {
			put32(aad + 4, esn_high);
			memcpy(aad + 8, esp + 4, 4);
			aad_len = 12;
		} else {
			memcpy(aad + 4, esp + 4, 4);
		}
		err = gcry_cipher_setiv(c->cipher, c->nonce, 12);
		if (!err)
			err = gcry_cipher_authenticate(c->cipher, aad, aad_len);
		if (!err)
			err = gcry_cipher_decrypt(c->cipher, plain, ct_len, ct, ct_len);
		if (!err) {
			err = gcry_cipher_checktag(c->cipher, icv, c->icv_len);
			if (gcry_err_code(err) == GPG_ERR_CHECKSUM)
				return ESP_ICV_FAIL;
		}
		break;
	}
	}
	if (err)
		return ESP_CRYPTO_ERROR;

	/* RFC 4303 §2.4: padding bytes are 1, 2, 3, ... */
	size_t pad = plain[ct_len - 2];
	if (pad + 2 > ct_len)
		return ESP_BAD_PADDING;
	const uint8_t *p = plain + ct_len - 2 - pad;
	uint8_t bad = 0;
	for (size_t i = 0; i < pad; i++)
		bad |= (uint8_t)(p[i] ^ (uint8_t)(i + 1));
	if (bad)
		return ESP_BAD_PADDING;
	*next_header = plain[ct_len - 1];
	*plain_len = ct_len - 2 - pad;
	return ESP_OK;
}
