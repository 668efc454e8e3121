/* IKEv1 decryption with the RFC 2409 IV chain (see ikev1_crypto.h). */
#include "keys/ikev1_crypto.h"

#include <gcrypt.h>
#include <glib.h>
#include <string.h>

#include "keys/algs.h"
#include "keys/esp_crypto.h"
#include "keys/secret.h"

#define BLK_MAX 16

struct msgid_iv {
	uint32_t msgid;
	uint64_t used;            /* LRU stamp; 0 = free slot */
	uint8_t iv[BLK_MAX];      /* last ciphertext block of the last message */
	uint8_t prev_iv[BLK_MAX]; /* the IV that message used (for retransmissions) */
	bool prev_known;
};

struct ikev1_crypto {
	int enc_alg;
	unsigned key_bits;
	int md_algo;
	int cipher_algo;
	size_t key_len, blk;
	uint8_t ka[32];
	size_t ka_len;
	gcry_cipher_hd_t cipher;
	uint8_t *gxi, *gxr;
	size_t gxi_len, gxr_len;

	bool p1_known;            /* phase-1 IV (message ID 0) known */
	uint8_t p1_iv[BLK_MAX];
	uint8_t p1_prev[BLK_MAX];
	bool p1_prev_known;
	bool p1_seen;             /* a message ID 0 message was decrypted */

	struct msgid_iv ivs[IKEV1_MAX_MSGIDS];
	uint64_t clock;
	enum ikev1_status status;
};

const char *ikev1_status_name(enum ikev1_status s)
{
	switch (s) {
	case IKEV1_OK:
		return "ok";
	case IKEV1_FIRST_BLOCK_UNKNOWN:
		return "first-block-unknown (no IV: Main Mode key exchange not captured)";
	case IKEV1_NO_KEY:
		return "no-key";
	case IKEV1_NO_TRANSFORM:
		return "no-transform";
	case IKEV1_UNSUPPORTED:
		return "unsupported";
	case IKEV1_BAD_LENGTH:
		return "bad-length";
	case IKEV1_CRYPTO_ERROR:
		return "crypto-error";
	}
	return "?";
}

struct ikev1_crypto *ikev1_crypto_new(void)
{
	struct ikev1_crypto *c = g_new0(struct ikev1_crypto, 1);
	c->status = IKEV1_NO_TRANSFORM;
	return c;
}

void ikev1_crypto_free(struct ikev1_crypto *c)
{
	if (!c)
		return;
	if (c->cipher)
		gcry_cipher_close(c->cipher);
	g_free(c->gxi);
	g_free(c->gxr);
	secret_wipe(c, sizeof *c);
	g_free(c);
}

/* trunc_blk(H(a | b)) */
static bool hash_iv(const struct ikev1_crypto *c, const uint8_t *a, size_t al, const uint8_t *b,
		    size_t bl, uint8_t *iv)
{
	gcry_md_hd_t md;
	if (gcry_md_open(&md, c->md_algo, 0))
		return false;
	gcry_md_write(md, a, al);
	gcry_md_write(md, b, bl);
	const uint8_t *h = gcry_md_read(md, c->md_algo);
	if (h)
		memcpy(iv, h, c->blk);
	gcry_md_close(md);
	return h != NULL;
}

static void try_phase1_iv(struct ikev1_crypto *c)
{
	if (c->p1_known || c->p1_seen || !c->md_algo || !c->blk || !c->gxi || !c->gxr)
		return;
	c->p1_known = hash_iv(c, c->gxi, c->gxi_len, c->gxr, c->gxr_len, c->p1_iv);
}

/* Opens the cipher once both transform and Ka are known. */
static void try_open(struct ikev1_crypto *c)
{
	if (c->cipher || !c->cipher_algo || !c->ka_len)
		return;
	/* A capture is what it is: decrypt even with a (DES) weak key. */
	gcry_error_t err = gcry_cipher_open(&c->cipher, c->cipher_algo, GCRY_CIPHER_MODE_CBC, 0);
	if (!err)
		err = gcry_cipher_ctl(c->cipher, GCRYCTL_SET_ALLOW_WEAK_KEY, NULL, 1);
	if (!err)
		err = gcry_cipher_setkey(c->cipher, c->ka, c->ka_len);
	if (gcry_err_code(err) == GPG_ERR_WEAK_KEY)
		err = 0; /* reported, but the key is set */
	if (err) {
		if (c->cipher)
			gcry_cipher_close(c->cipher);
		c->cipher = NULL;
		c->status = IKEV1_CRYPTO_ERROR;
	}
}

static int cipher_for(int enc_alg, size_t key_len)
{
	switch (enc_alg) {
	case IKEV1_ENC_DES:
		return key_len == 8 ? GCRY_CIPHER_DES : 0;
	case IKEV1_ENC_3DES:
		return key_len == 24 ? GCRY_CIPHER_3DES : 0;
	case IKEV1_ENC_AES_CBC:
		return key_len == 16 ? GCRY_CIPHER_AES128 :
		       key_len == 24 ? GCRY_CIPHER_AES192 :
		       key_len == 32 ? GCRY_CIPHER_AES256 : 0;
	default:
		return 0;
	}
}

static void resolve(struct ikev1_crypto *c)
{
	size_t key_len = 0;
	switch (c->enc_alg) {
	case IKEV1_ENC_DES:
		key_len = 8;
		break;
	case IKEV1_ENC_3DES:
		key_len = 24;
		break;
	case IKEV1_ENC_AES_CBC:
		key_len = c->key_bits ? c->key_bits / 8 : c->ka_len;
		break;
	}
	c->cipher_algo = cipher_for(c->enc_alg, key_len);
	c->key_len = c->cipher_algo ? key_len : 0;
	c->blk = c->cipher_algo ? gcry_cipher_get_algo_blklen(c->cipher_algo) : 0;
}

bool ikev1_crypto_set_transform(struct ikev1_crypto *c, int enc_alg, unsigned key_bits,
				int hash_alg)
{
	if (!esprekey_gcrypt_init()) {
		c->status = IKEV1_CRYPTO_ERROR;
		return false;
	}
	c->enc_alg = enc_alg;
	c->key_bits = key_bits;
	c->md_algo = ikev1_hash_to_gcry(hash_alg);
	bool enc_known = enc_alg == IKEV1_ENC_DES || enc_alg == IKEV1_ENC_3DES ||
			 (enc_alg == IKEV1_ENC_AES_CBC &&
			  (key_bits == 0 || key_bits == 128 || key_bits == 192 || key_bits == 256));
	if (!enc_known || !c->md_algo) {
		c->status = IKEV1_UNSUPPORTED;
		return false;
	}
	resolve(c);
	/* the IV is a truncated hash: the hash must cover a block */
	if (c->blk && gcry_md_get_algo_dlen(c->md_algo) < c->blk) {
		c->status = IKEV1_UNSUPPORTED;
		return false;
	}
	if (c->ka_len && !c->cipher_algo) {
		c->status = IKEV1_UNSUPPORTED; /* Ka does not fit */
		return false;
	}
	c->status = c->ka_len ? IKEV1_OK : IKEV1_NO_KEY;
	try_open(c);
	try_phase1_iv(c);
	return true;
}

bool ikev1_crypto_set_ka(struct ikev1_crypto *c, const uint8_t *ka, size_t len)
{
	if (len == 0 || len > sizeof c->ka)
		return false;
	if (c->enc_alg) {
		resolve(c);
		if (c->key_len && len != c->key_len)
			return false;
		if (!cipher_for(c->enc_alg, len))
			return false;
	}
	if (!esprekey_gcrypt_init())
		return false;
	memcpy(c->ka, ka, len);
	c->ka_len = len;
	if (c->enc_alg) {
		resolve(c);
		c->status = IKEV1_OK;
	}
	try_open(c);
	try_phase1_iv(c);
	return true;
}

void ikev1_crypto_set_ke(struct ikev1_crypto *c, bool from_initiator, const uint8_t *ke, size_t len)
{
	uint8_t **dst = from_initiator ? &c->gxi : &c->gxr;
	size_t *dlen = from_initiator ? &c->gxi_len : &c->gxr_len;
	if (*dst || len == 0)
		return;
	*dst = g_memdup2(ke, len);
	*dlen = len;
	try_phase1_iv(c);
}

static struct msgid_iv *find_iv(struct ikev1_crypto *c, uint32_t msgid)
{
	for (int i = 0; i < IKEV1_MAX_MSGIDS; i++)
		if (c->ivs[i].used && c->ivs[i].msgid == msgid)
			return &c->ivs[i];
	return NULL;
}

static struct msgid_iv *new_iv(struct ikev1_crypto *c, uint32_t msgid)
{
	struct msgid_iv *victim = &c->ivs[0];
	for (int i = 0; i < IKEV1_MAX_MSGIDS; i++) {
		if (!c->ivs[i].used) {
			victim = &c->ivs[i];
			break;
		}
		if (c->ivs[i].used < victim->used)
			victim = &c->ivs[i];
	}
	memset(victim, 0, sizeof *victim);
	victim->msgid = msgid;
	return victim;
}

bool ikev1_decrypt(struct ikev1_crypto *c, uint32_t msgid, const uint8_t *body, size_t len,
		   uint8_t *out)
{
	if (!c->enc_alg || !c->md_algo) {
		c->status = c->status == IKEV1_UNSUPPORTED ? IKEV1_UNSUPPORTED : IKEV1_NO_TRANSFORM;
		return false;
	}
	if (!c->ka_len) {
		c->status = IKEV1_NO_KEY;
		return false;
	}
	if (!c->cipher) {
		c->status = c->status == IKEV1_CRYPTO_ERROR ? IKEV1_CRYPTO_ERROR : IKEV1_UNSUPPORTED;
		return false;
	}
	size_t b = c->blk;
	if (len == 0 || len % b) {
		c->status = IKEV1_BAD_LENGTH;
		return false;
	}
	const uint8_t *last = body + len - b;
	uint8_t iv[BLK_MAX];
	bool known = false;
	struct msgid_iv *e = NULL;

	if (msgid == 0) {
		if (c->p1_seen && ct_memeq(last, c->p1_iv, b)) {
			/* retransmission of the last phase-1 message */
			known = c->p1_prev_known;
			memcpy(iv, c->p1_prev, b);
		} else {
			known = c->p1_known;
			memcpy(iv, c->p1_iv, b);
		}
	} else if ((e = find_iv(c, msgid)) != NULL) {
		if (ct_memeq(last, e->iv, b)) {
			known = e->prev_known;
			memcpy(iv, e->prev_iv, b);
		} else {
			known = true;
			memcpy(iv, e->iv, b);
		}
	} else {
		uint8_t m[4] = { (uint8_t)(msgid >> 24), (uint8_t)(msgid >> 16), (uint8_t)(msgid >> 8),
				 (uint8_t)msgid };
		known = c->p1_known && hash_iv(c, c->p1_iv, b, m, 4, iv);
	}
	if (!known)
		memset(iv, 0, b);

	if (gcry_cipher_setiv(c->cipher, iv, b) || gcry_cipher_decrypt(c->cipher, out, len, body, len)) {
		c->status = IKEV1_CRYPTO_ERROR;
		return false;
	}
	if (!known)
		memset(out, 0, b);

	/* advance the chain (the output may alias nothing: body is intact) */
	if (msgid == 0) {
		if (!(c->p1_seen && ct_memeq(last, c->p1_iv, b))) {
			memcpy(c->p1_prev, iv, b);
			c->p1_prev_known = known;
			memcpy(c->p1_iv, last, b);
		}
		c->p1_known = true;
		c->p1_seen = true;
	} else {
		if (!e)
			e = new_iv(c, msgid);
		if (!ct_memeq(last, e->iv, b) || !e->used) {
			memcpy(e->prev_iv, iv, b);
			e->prev_known = known;
			memcpy(e->iv, last, b);
		}
		e->used = ++c->clock;
	}
	secret_wipe(iv, sizeof iv);
	c->status = known ? IKEV1_OK : IKEV1_FIRST_BLOCK_UNKNOWN;
	return known;
}

enum ikev1_status ikev1_last_status(const struct ikev1_crypto *c)
{
	return c->status;
}

size_t ikev1_crypto_block_len(const struct ikev1_crypto *c)
{
	return c->blk;
}

bool ikev1_crypto_phase1_iv(const struct ikev1_crypto *c, uint8_t *iv, size_t *len)
{
	if (!c->p1_known)
		return false;
	memcpy(iv, c->p1_iv, c->blk);
	*len = c->blk;
	return true;
}
