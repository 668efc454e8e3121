/* ESP SAs: RFC 2409 KEYMAT, AES-128-CBC + HMAC-SHA1-96 (RFC 3602 / 2404), RFC 4303 trailer. */
#include "samples/gen.h"

#include <stdlib.h>
#include <string.h>

/* KEYMAT = K1 | K2 ..., K1 = prf(SKEYID_d, 3 | SPI | Ni_b | Nr_b), Kn+1 = prf(SKEYID_d, Kn | seed).
 * The SPI is the one on the wire in the SA's direction (the receiver's). */
void sa_keymat(esp_sa_t *sa, const uint8_t skeyid_d[20], const uint8_t *ni, size_t nilen,
               const uint8_t *nr, size_t nrlen)
{
    uint8_t seed[5];
    seed[0] = 3;                       /* PROTO_IPSEC_ESP */
    put32(seed + 1, sa->spi);
    uint8_t k[40];
    prf_sha1(k, skeyid_d, 20, 3, seed, (size_t)5, ni, nilen, nr, nrlen);
    prf_sha1(k + 20, skeyid_d, 20, 4, k, (size_t)20, seed, (size_t)5, ni, nilen, nr, nrlen);
    memcpy(sa->ekey, k, 16);
    memcpy(sa->akey, k + 16, 20);
}

void sa_open(esp_sa_t *sa)
{
    if (gcry_cipher_open(&sa->ch, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0) ||
        gcry_cipher_setkey(sa->ch, sa->ekey, 16) ||
        gcry_md_open(&sa->mh, GCRY_MD_SHA1, GCRY_MD_FLAG_HMAC) ||
        gcry_md_setkey(sa->mh, sa->akey, 20)) {
        fprintf(stderr, "mkcapture: libgcrypt AES-128-CBC / HMAC-SHA1 unavailable\n");
        exit(1);
    }
}

void sa_close(esp_sa_t *sa)
{
    if (sa->ch)
        gcry_cipher_close(sa->ch);
    if (sa->mh)
        gcry_md_close(sa->mh);
    sa->ch = NULL;
    sa->mh = NULL;
}

size_t sa_seal(esp_sa_t *sa, uint8_t *esp, size_t plen, uint8_t next_header, const uint8_t iv[16])
{
    uint8_t *pt = esp + 24;
    size_t padlen = (16 - (plen + 2) % 16) % 16;
    for (size_t i = 0; i < padlen; i++)
        pt[plen + i] = (uint8_t)(i + 1);
    pt[plen + padlen] = (uint8_t)padlen;
    pt[plen + padlen + 1] = next_header;
    size_t clen = plen + padlen + 2;
    put32(esp, sa->spi);
    put32(esp + 4, ++sa->seq);
    memcpy(esp + 8, iv, 16);
    gcry_cipher_setiv(sa->ch, iv, 16);
    gcry_cipher_encrypt(sa->ch, pt, clen, NULL, 0);
    gcry_md_reset(sa->mh);
    gcry_md_write(sa->mh, esp, 24 + clen);
    memcpy(pt + clen, gcry_md_read(sa->mh, GCRY_MD_SHA1), 12);
    return 24 + clen + 12;
}
