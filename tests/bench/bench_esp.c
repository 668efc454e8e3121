/* ESP decryption throughput: esp_crypto_decrypt() against the bare
 * libgcrypt calls it cannot avoid (handles opened and keyed once; per packet
 * setiv + decrypt + HMAC reset/write/read), for 1400-byte payloads.
 * Not part of `make check`.  Build and run from the repository root:
 *
 *   cc -O2 -I. $(pkg-config --cflags glib-2.0 libgcrypt) -o build/bench_esp \
 *      tests/bench/bench_esp.c keys/[a-z]*.c $(pkg-config --libs glib-2.0 libgcrypt)
 *   build/bench_esp [packets]
 *
 * MB/s counts ESP bytes (SPI through ICV), 1 MB = 10^6 bytes. */
#include <gcrypt.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/esp_crypto.h"
#include "keys/keystore.h"

#define NPKT 64          /* distinct packets, cycled */
#define PAYLOAD 1400

struct pkts {
	uint8_t data[NPKT][1600];
	size_t len;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* AES-128-CBC + HMAC-SHA1-96 packets, built with plain libgcrypt */
static void make_cbc(const struct esp_key *k, struct pkts *p)
{
	gcry_cipher_hd_t c;
	gcry_md_hd_t m;
	gcry_cipher_open(&c, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0);
	gcry_cipher_setkey(c, k->enc_key, 16);
	gcry_md_open(&m, GCRY_MD_SHA1, GCRY_MD_FLAG_HMAC);
	gcry_md_setkey(m, k->auth_key, 20);
	size_t pad = (16 - (PAYLOAD + 2) % 16) % 16, ct = PAYLOAD + pad + 2;
	p->len = 8 + 16 + ct + 12;
	for (int i = 0; i < NPKT; i++) {
		uint8_t *b = p->data[i];
		put32(b, 0xc51afa23);
		put32(b + 4, (uint32_t)i + 1);
		gcry_randomize(b + 8, 16, GCRY_WEAK_RANDOM);
		gcry_randomize(b + 24, PAYLOAD, GCRY_WEAK_RANDOM);
		for (size_t j = 0; j < pad; j++)
			b[24 + PAYLOAD + j] = (uint8_t)(j + 1);
		b[24 + PAYLOAD + pad] = (uint8_t)pad;
		b[24 + PAYLOAD + pad + 1] = 4;
		gcry_cipher_setiv(c, b + 8, 16);
		gcry_cipher_encrypt(c, b + 24, ct, NULL, 0);
		gcry_md_reset(m);
		gcry_md_write(m, b, p->len - 12);
		memcpy(b + p->len - 12, gcry_md_read(m, GCRY_MD_SHA1), 12);
	}
	gcry_cipher_close(c);
	gcry_md_close(m);
}

static void make_gcm(const struct esp_key *k, struct pkts *p)
{
	gcry_cipher_hd_t c;
	gcry_cipher_open(&c, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0);
	gcry_cipher_setkey(c, k->enc_key, 16);
	size_t pad = (4 - (PAYLOAD + 2) % 4) % 4, ct = PAYLOAD + pad + 2;
	p->len = 8 + 8 + ct + 16;
	for (int i = 0; i < NPKT; i++) {
		uint8_t *b = p->data[i], nonce[12];
		put32(b, 0xc51afa23);
		put32(b + 4, (uint32_t)i + 1);
		gcry_randomize(b + 8, 8, GCRY_WEAK_RANDOM);
		gcry_randomize(b + 16, PAYLOAD, GCRY_WEAK_RANDOM);
		for (size_t j = 0; j < pad; j++)
			b[16 + PAYLOAD + j] = (uint8_t)(j + 1);
		b[16 + PAYLOAD + pad] = (uint8_t)pad;
		b[16 + PAYLOAD + pad + 1] = 4;
		memcpy(nonce, k->enc_key + 16, 4);
		memcpy(nonce + 4, b + 8, 8);
		gcry_cipher_setiv(c, nonce, 12);
		gcry_cipher_authenticate(c, b, 8);
		gcry_cipher_encrypt(c, b + 16, ct, NULL, 0);
		gcry_cipher_gettag(c, b + 16 + ct, 16);
	}
	gcry_cipher_close(c);
}

static double now(void)
{
	return (double)g_get_monotonic_time() / 1e6;
}

/* the floor: the libgcrypt calls alone, handles prepared once */
static double raw_cbc(const struct esp_key *k, const struct pkts *p, long n, uint8_t *out)
{
	gcry_cipher_hd_t c;
	gcry_md_hd_t m;
	gcry_cipher_open(&c, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CBC, 0);
	gcry_cipher_setkey(c, k->enc_key, 16);
	gcry_md_open(&m, GCRY_MD_SHA1, GCRY_MD_FLAG_HMAC);
	gcry_md_setkey(m, k->auth_key, 20);
	size_t ct = p->len - 8 - 16 - 12;
	unsigned sink = 0;
	double t0 = now();
	for (long i = 0; i < n; i++) {
		const uint8_t *b = p->data[i % NPKT];
		gcry_md_reset(m);
		gcry_md_write(m, b, p->len - 12);
		sink += gcry_md_read(m, GCRY_MD_SHA1)[0];
		gcry_cipher_setiv(c, b + 8, 16);
		gcry_cipher_decrypt(c, out, ct, b + 24, ct);
		sink += out[ct - 1];
	}
	double t = now() - t0;
	gcry_cipher_close(c);
	gcry_md_close(m);
	if (sink == 0xffffffffu)
		puts("");
	return t;
}

static double raw_gcm(const struct esp_key *k, const struct pkts *p, long n, uint8_t *out)
{
	gcry_cipher_hd_t c;
	gcry_cipher_open(&c, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0);
	gcry_cipher_setkey(c, k->enc_key, 16);
	size_t ct = p->len - 8 - 8 - 16;
	unsigned bad = 0;
	double t0 = now();
	for (long i = 0; i < n; i++) {
		const uint8_t *b = p->data[i % NPKT];
		uint8_t nonce[12];
		memcpy(nonce, k->enc_key + 16, 4);
		memcpy(nonce + 4, b + 8, 8);
		gcry_cipher_setiv(c, nonce, 12);
		gcry_cipher_authenticate(c, b, 8);
		gcry_cipher_decrypt(c, out, ct, b + 16, ct);
		bad += gcry_cipher_checktag(c, b + 16 + ct, 16) != 0;
	}
	double t = now() - t0;
	gcry_cipher_close(c);
	if (bad)
		fprintf(stderr, "raw gcm: %u bad tags\n", bad);
	return t;
}

static double ours(const struct esp_key *k, const struct pkts *p, long n, uint8_t *out)
{
	struct esp_crypto *c = esp_crypto_open(k);
	size_t pl;
	uint8_t nh;
	long bad = 0;
	double t0 = now();
	for (long i = 0; i < n; i++)
		bad += esp_crypto_decrypt(c, p->data[i % NPKT], p->len, 0, out, &pl, &nh) != ESP_OK;
	double t = now() - t0;
	esp_crypto_close(c);
	if (bad)
		fprintf(stderr, "esp_crypto: %ld packets failed\n", bad);
	return t;
}

static void report(const char *name, double raw_t, double our_t, const struct pkts *p, long n)
{
	double mb = (double)p->len * (double)n / 1e6;
	printf("%-30s raw libgcrypt %8.1f MB/s   esp_crypto_decrypt %8.1f MB/s   ratio %5.1f %%\n", name,
	       mb / raw_t, mb / our_t, 100.0 * raw_t / our_t);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	if (!esprekey_gcrypt_init())
		return 1;
	static struct pkts p;
	static uint8_t out[2048];
	struct esp_key k;
	memset(&k, 0, sizeof k);
	k.spi_mask = 0xffffffffu;
	k.src.any = k.dst.any = true;
	for (int i = 0; i < 20; i++)
		k.enc_key[i] = (uint8_t)(0x10 + i), k.auth_key[i] = (uint8_t)(0x80 + i);

	printf("libgcrypt %s, %ld packets of %d-byte payload per run, best of 5 runs\n",
	       gcry_check_version(NULL), n, PAYLOAD);

	k.enc = ESP_ENC_AES_CBC, k.enc_key_len = 16;
	k.auth = ESP_AUTH_HMAC_SHA1_96, k.auth_key_len = 20;
	make_cbc(&k, &p);
	double br = 1e9, bo = 1e9;
	for (int r = 0; r < 5; r++) {
		double a = raw_cbc(&k, &p, n, out), b = ours(&k, &p, n, out);
		br = a < br ? a : br;
		bo = b < bo ? b : bo;
	}
	report("AES-128-CBC + HMAC-SHA1-96", br, bo, &p, n);

	k.enc = ESP_ENC_AES_GCM_16, k.enc_key_len = 20;
	k.auth = ESP_AUTH_NULL, k.auth_key_len = 0;
	make_gcm(&k, &p);
	br = bo = 1e9;
	for (int r = 0; r < 5; r++) {
		double a = raw_gcm(&k, &p, n, out), b = ours(&k, &p, n, out);
		br = a < br ? a : br;
		bo = b < bo ? b : bo;
	}
	report("AES-128-GCM-16", br, bo, &p, n);
	return 0;
}
