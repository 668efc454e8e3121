/* ISAKMP message assembly and IKEv1 crypto primitives (HMAC-SHA1 prf, AES-128-CBC). */
#include "samples/gen.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* prf(key, a1 | a2 | ...) with HMAC-SHA1; n pairs of (const uint8_t *, size_t) follow. */
void prf_sha1(uint8_t out[20], const uint8_t *key, size_t klen, int n, ...)
{
    gcry_md_hd_t h;
    if (gcry_md_open(&h, GCRY_MD_SHA1, GCRY_MD_FLAG_HMAC) || gcry_md_setkey(h, key, klen)) {
        fprintf(stderr, "mkcapture: libgcrypt HMAC-SHA1 unavailable\n");
        exit(1);
    }
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const uint8_t *p = va_arg(ap, const uint8_t *);
        size_t l = va_arg(ap, size_t);
        gcry_md_write(h, p, l);
    }
    va_end(ap);
    memcpy(out, gcry_md_read(h, GCRY_MD_SHA1), 20);
    gcry_md_close(h);
}

static void msg_grow(msg_t *m, size_t n)
{
    if (m->len + n > m->cap) {
        while (m->len + n > m->cap)
            m->cap = m->cap ? m->cap * 2 : 512;
        m->b = g_realloc(m->b, m->cap);
    }
}

void msg_put(msg_t *m, const void *p, size_t n)
{
    msg_grow(m, n);
    memcpy(m->b + m->len, p, n);
    m->len += n;
}

void msg_u8(msg_t *m, uint8_t v) { msg_put(m, &v, 1); }

void msg_u16(msg_t *m, uint16_t v)
{
    uint8_t b[2];
    put16(b, v);
    msg_put(m, b, 2);
}

void msg_u32(msg_t *m, uint32_t v)
{
    uint8_t b[4];
    put32(b, v);
    msg_put(m, b, 4);
}

void msg_init(msg_t *m, const uint8_t cky_i[8], const uint8_t cky_r[8], uint8_t exch,
              uint8_t flags, uint32_t msgid)
{
    m->len = 0;
    msg_put(m, cky_i, 8);
    msg_put(m, cky_r, 8);
    m->np_off = m->len;
    msg_u8(m, 0);
    msg_u8(m, 0x10);
    msg_u8(m, exch);
    msg_u8(m, flags);
    msg_u32(m, msgid);
    msg_u32(m, 0);
}

/* Starts a top-level payload: chains it from the previous one and writes a generic header. */
size_t pl_begin(msg_t *m, uint8_t type)
{
    m->b[m->np_off] = type;
    size_t off = m->len;
    m->np_off = off;
    msg_u8(m, 0);
    msg_u8(m, 0);
    msg_u16(m, 0);
    return off;
}

void pl_end(msg_t *m, size_t off) { put16(m->b + off + 2, (uint16_t)(m->len - off)); }

void msg_finish(msg_t *m) { put32(m->b + 24, (uint32_t)m->len); }

void msg_encrypt(msg_t *m, const uint8_t ka[16], uint8_t iv[16])
{
    size_t body = m->len - 28;
    size_t pad = (16 - body % 16) % 16;
    static const uint8_t zero[16];
    msg_put(m, zero, pad);
    m->b[19] |= 0x01;           /* E flag */
    msg_finish(m);
    gcry_cipher_hd_t c;
    gcry_cipher_open(&c, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0);
    gcry_cipher_setkey(c, ka, 16);
    gcry_cipher_setiv(c, iv, 16);
    gcry_cipher_encrypt(c, m->b + 28, m->len - 28, NULL, 0);
    gcry_cipher_close(c);
    memcpy(iv, m->b + m->len - 16, 16);
}
