#include "keys/prf.h"

#include <gcrypt.h>

#include "keys/algs.h"
#include "keys/esp_crypto.h"

#define MAX_PARTS 8

bool ikev1_prf(int hash_alg, const uint8_t *key, size_t key_len, const struct prf_part *parts, size_t n,
	       uint8_t *out, size_t *out_len)
{
	int algo = ikev1_hash_to_gcry(hash_alg);
	if (!algo || n + 1 > MAX_PARTS || !esprekey_gcrypt_init())
		return false;
	/* with GCRY_MD_FLAG_HMAC the first buffer is the key */
	gcry_buffer_t iov[MAX_PARTS] = { { .data = (void *)key, .len = key_len } };
	for (size_t i = 0; i < n; i++)
		iov[i + 1] = (gcry_buffer_t){ .data = (void *)parts[i].data, .len = parts[i].len };
	if (gcry_md_hash_buffers(algo, GCRY_MD_FLAG_HMAC, out, iov, (int)n + 1))
		return false;
	*out_len = gcry_md_get_algo_dlen(algo);
	return true;
}
