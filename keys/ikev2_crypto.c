/* IKEv2 SK payload integrity check and decryption; see ikev2_crypto.h. */
#include "keys/ikev2_crypto.h"

#include <gcrypt.h>
#include <string.h>

#include "keys/esp_crypto.h"
#include "keys/secret.h"

const char *ikev2_verdict_name(enum ikev2_verdict v)
{
	switch (v) {
	case IKEV2_OK:
		return "ok";
	case IKEV2_ICV_FAIL:
		return "icv-fail";
	case IKEV2_TOO_SHORT:
		return "too-short";
	case IKEV2_BAD_LENGTH:
		return "bad-length";
	case IKEV2_BAD_PADDING:
		return "bad-padding";
	case IKEV2_UNSUPPORTED:
		return "unsupported";
	case IKEV2_CRYPTO_ERROR:
		return "crypto-error";
	}
	return "?";
}

static enum ikev2_verdict check_hmac(const struct ikev2_integ_info *ii, const uint8_t *key,
				     const uint8_t *data, size_t len, const uint8_t *icv)
{
	gcry_md_hd_t md;
	if (gcry_md_open(&md, ii->gcry_md, GCRY_MD_FLAG_HMAC))
		return IKEV2_CRYPTO_ERROR;
	enum ikev2_verdict v = IKEV2_CRYPTO_ERROR;
	if (!gcry_md_setkey(md, key, ii->key_len)) {
		gcry_md_write(md, data, len);
		const uint8_t *mac = gcry_md_read(md, ii->gcry_md);
		if (mac)
			v = ct_memeq(mac, icv, ii->icv_len) ? IKEV2_OK : IKEV2_ICV_FAIL;
	}
	gcry_md_close(md);
	return v;
}

enum ikev2_verdict ikev2_decrypt_sk(const struct ikev2_key *k, bool from_initiator,
				    const uint8_t *msg, size_t msg_len, size_t sk_off, uint8_t *out,
				    size_t *out_len)
{
	const struct ikev2_enc_info *ei = ikev2_enc_info(k->enc);
	const struct ikev2_integ_info *ii = ikev2_integ_info(k->integ);
	if (!ei || !ii || !esprekey_gcrypt_init())
		return IKEV2_UNSUPPORTED;
	if (sk_off > msg_len || msg_len - sk_off < 4)
		return IKEV2_TOO_SHORT;
	size_t plen = (size_t)msg[sk_off + 2] << 8 | msg[sk_off + 3];
	if (plen > msg_len - sk_off)
		return IKEV2_TOO_SHORT;
	bool aead = ei->icv_len != 0;
	size_t icv_len = aead ? ei->icv_len : ii->icv_len;
	if (plen < 4 + ei->iv_len + icv_len + 1)
		return IKEV2_TOO_SHORT;
	const uint8_t *iv = msg + sk_off + 4;
	const uint8_t *ct = iv + ei->iv_len;
	size_t ct_len = plen - 4 - ei->iv_len - icv_len;
	const uint8_t *icv = ct + ct_len;
	if (ei->block_len > 1 && ct_len % ei->block_len)
		return IKEV2_BAD_LENGTH;

	const uint8_t *ek = from_initiator ? k->sk_ei : k->sk_er;
	const uint8_t *ak = from_initiator ? k->sk_ai : k->sk_ar;

	if (!aead && ii->gcry_md) {
		enum ikev2_verdict v = check_hmac(ii, ak, msg, (size_t)(icv - msg), icv);
		if (v != IKEV2_OK)
			return v;
	}

	if (!ei->gcry_algo) { /* NULL encryption */
		memmove(out, ct, ct_len);
	} else {
		size_t key_len = ei->key_len - ei->salt_len;
		gcry_cipher_hd_t h;
		if (gcry_cipher_open(&h, ei->gcry_algo, ei->gcry_mode, 0))
			return IKEV2_UNSUPPORTED;
		gcry_error_t err = gcry_cipher_ctl(h, GCRYCTL_SET_ALLOW_WEAK_KEY, NULL, 1);
		if (!err)
			err = gcry_cipher_setkey(h, ek, key_len);
		if (gcry_err_code(err) == GPG_ERR_WEAK_KEY)
			err = 0; /* reported, but the key is set */
		uint8_t nonce[16] = { 0 };
		size_t salt = ei->salt_len;
		memcpy(nonce, ek + key_len, salt);
		memcpy(nonce + salt, iv, ei->iv_len);
		const uint8_t *aad = msg;
		size_t aad_len = sk_off + 4;
		switch (ei->gcry_mode) {
		case GCRY_CIPHER_MODE_CBC:
			if (!err)
				err = gcry_cipher_setiv(h, iv, ei->iv_len);
			break;
		case GCRY_CIPHER_MODE_CTR:
			nonce[15] = 1; /* RFC 5930 / 3686: salt | IV | 0x00000001 */
			if (!err)
				err = gcry_cipher_setctr(h, nonce, 16);
			break;
		case GCRY_CIPHER_MODE_GCM:
			if (!err)
				err = gcry_cipher_setiv(h, nonce, salt + ei->iv_len);
			if (!err)
				err = gcry_cipher_authenticate(h, aad, aad_len);
			break;
		case GCRY_CIPHER_MODE_CCM: {
			uint64_t lens[3] = { ct_len, aad_len, icv_len };
			if (!err)
				err = gcry_cipher_setiv(h, nonce, salt + ei->iv_len);
			if (!err)
				err = gcry_cipher_ctl(h, GCRYCTL_SET_CCM_LENGTHS, lens, sizeof lens);
			if (!err)
				err = gcry_cipher_authenticate(h, aad, aad_len);
			break;
		}
		}
		if (!err)
			err = gcry_cipher_decrypt(h, out, ct_len, ct, ct_len);
		enum ikev2_verdict v = err ? IKEV2_CRYPTO_ERROR : IKEV2_OK;
		if (!err && aead) {
			err = gcry_cipher_checktag(h, icv, icv_len);
			if (gcry_err_code(err) == GPG_ERR_CHECKSUM)
				v = IKEV2_ICV_FAIL;
			else if (err)
				v = IKEV2_CRYPTO_ERROR;
		}
		gcry_cipher_close(h);
		secret_wipe(nonce, sizeof nonce);
		if (v != IKEV2_OK)
			return v;
	}
	/* RFC 7296 §3.14: pad bytes are arbitrary, the last byte counts them */
	size_t pad = out[ct_len - 1];
	if (pad + 1 > ct_len)
		return IKEV2_BAD_PADDING;
	*out_len = ct_len - 1 - pad;
	return IKEV2_OK;
}
