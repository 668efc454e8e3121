/* The IKEv1 prf (HMAC with the IKE SA's hash) over a message's parts, as
 * HASH(1), HASH(2) and HASH(3) of RFC 2409 §5.5 are built. */
#ifndef ESPREKEY_PRF_H
#define ESPREKEY_PRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prf_part {
	const void *data;
	size_t len;
};

/* hash_alg: IKEv1 Phase 1 hash id (1 MD5, 2 SHA1, 4/5/6 SHA2).  out needs
 * 64 bytes; *out_len gets the digest length.  False for an unknown hash. */
bool ikev1_prf(int hash_alg, const uint8_t *key, size_t key_len, const struct prf_part *parts, size_t n,
	       uint8_t *out, size_t *out_len);

#endif
