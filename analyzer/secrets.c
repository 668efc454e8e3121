#include "analyzer/secrets.h"

#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <zlib.h>

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_DSB 0x0000000Au
#define PCAPNG_SECRETS_ESP 0x45535053u /* "ESPS" */
#define MAX_BLOCK (16u << 20)

static uint32_t get32(const uint8_t *p, bool swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return swap ? GUINT32_SWAP_LE_BE(v) : v;
}

/* Only the blocks before the first packet are read: a DSB a tool inserted
 * stands there, and reading on would cost a second pass over the capture. */
static bool is_packet_block(uint32_t type)
{
	return type == 2 || type == 3 || type == 6;
}

bool capture_load_secrets(const char *path, struct keystore **ks, unsigned *loaded, GError **err)
{
	*loaded = 0;
	if (g_strcmp0(path, "-") == 0)
		return true;
	gzFile f = gzopen(path, "rb");
	if (!f)
		return true;
	uint8_t hdr[12];
	bool ok = true, swap = false;
	unsigned dsb = 0;
	for (int block = 0; gzread(f, hdr, 8) == 8; block++) {
		uint32_t type = get32(hdr, swap);
		if (block == 0) {
			if (get32(hdr, false) != PCAPNG_SHB || gzread(f, hdr + 8, 4) != 4)
				break;
			swap = get32(hdr + 8, false) != 0x1A2B3C4Du;
			if (gzseek(f, (z_off_t)get32(hdr + 4, swap) - 12, SEEK_CUR) < 0)
				break;
			continue;
		}
		uint32_t len = get32(hdr + 4, swap);
		if (is_packet_block(type) || len < 12 || len > MAX_BLOCK || len % 4)
			break;
		if (type != PCAPNG_DSB) {
			if (gzseek(f, (z_off_t)len - 8, SEEK_CUR) < 0)
				break;
			continue;
		}
		uint8_t *body = g_malloc(len - 8);
		if (gzread(f, body, len - 8) != (int)(len - 8) || len < 20) {
			g_free(body);
			break;
		}
		uint32_t secrets_type = get32(body, swap), secrets_len = get32(body + 4, swap);
		dsb++;
		if (secrets_type == PCAPNG_SECRETS_ESP && secrets_len <= len - 20) {
			char *origin = g_strdup_printf("%s: DSB %u", path, dsb);
			if (!*ks)
				*ks = keystore_new();
			ok = keystore_load_text(*ks, (const char *)body + 8, secrets_len, origin, err);
			g_free(origin);
			if (ok)
				(*loaded)++;
		}
		memset(body, 0, len - 8);
		g_free(body);
		if (!ok)
			break;
	}
	gzclose(f);
	return ok;
}
