/* A small pcapng reader for what libpcap 1.10 refuses: interfaces of
 * different link types in one file (an Ethernet port and a PPP link captured
 * together).  Only used from the first such file on; see capture.c. */
#include "analyzer/pcapng.h"

#include <string.h>

#include "dissect/cursor.h"

#define SHB 0x0A0D0D0Au
#define IDB 1u
#define PB 2u
#define SPB 3u
#define EPB 6u
#define BOM 0x1A2B3C4Du
#define MAX_BLOCK (64u << 20)
#define MAX_IFACES 256

struct iface {
	int dlt;
	uint32_t snaplen;
	uint64_t units_per_s;   /* timestamp resolution */
	int64_t offset_s;
};

struct pcapng_reader {
	FILE *f;
	bool swap;              /* the section is in the other byte order */
	struct iface ifaces[MAX_IFACES];
	unsigned n_ifaces;
	uint8_t *buf;
	size_t cap;
	uint64_t last_ts;
};

static uint32_t get32(const struct pcapng_reader *r, struct cursor *c)
{
	return r->swap ? cur_u32(c) : cur_u32le(c);
}

static uint16_t get16(const struct pcapng_reader *r, struct cursor *c)
{
	return r->swap ? cur_u16(c) : cur_u16le(c);
}

/* Block type and length come before we know the section's byte order only
 * for the SHB, whose length reads the same either way round for our check. */
static uint32_t raw32(const uint8_t *p, bool swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return swap ? GUINT32_SWAP_LE_BE(v) : v;
}

struct pcapng_reader *pcapng_open(FILE *f)
{
	struct pcapng_reader *r = g_new0(struct pcapng_reader, 1);
	r->f = f;
	return r;
}

void pcapng_close(struct pcapng_reader *r)
{
	if (!r)
		return;
	fclose(r->f);
	g_free(r->buf);
	g_free(r);
}

static void read_idb(struct pcapng_reader *r, struct cursor *c)
{
	if (r->n_ifaces == MAX_IFACES)
		return;
	struct iface *i = &r->ifaces[r->n_ifaces++];
	i->dlt = get16(r, c);
	cur_skip(c, 2);
	i->snaplen = get32(r, c);
	i->units_per_s = 1000000; /* the default: microseconds */
	i->offset_s = 0;
	while (cur_left(c) >= 4) {
		uint16_t code = get16(r, c), len = get16(r, c);
		struct cursor v = cur_sub(c, len);
		cur_skip(c, (4 - len % 4) % 4);
		if (code == 0 || c->err)
			break;
		if (code == 9 && len >= 1) { /* if_tsresol: 10^-n, or 2^-n with the top bit */
			uint8_t n = cur_u8(&v);
			uint64_t u = 1;
			for (unsigned k = 0; k < (n & 0x7f) && k < 63 && u < UINT64_MAX / 10; k++)
				u = n & 0x80 ? u * 2 : u * 10;
			i->units_per_s = u;
		} else if (code == 14 && len >= 8) { /* if_tsoffset, seconds */
			uint64_t hi = get32(r, &v), lo = get32(r, &v);
			i->offset_s = (int64_t)(r->swap ? hi << 32 | lo : lo << 32 | hi);
		}
	}
}

static uint64_t to_ns(const struct iface *i, uint64_t ts)
{
	uint64_t s = ts / i->units_per_s, frac = ts % i->units_per_s;
	return (s + (uint64_t)i->offset_s) * 1000000000ull + frac * 1000000000ull / i->units_per_s;
}

int pcapng_next(struct pcapng_reader *r, struct pcapng_packet *p, char *err, size_t err_len)
{
	for (;;) {
		uint8_t hdr[8];
		size_t got = fread(hdr, 1, 8, r->f);
		if (got == 0)
			return 0;
		if (got < 8) {
			snprintf(err, err_len, "pcapng block header cut short");
			return -2;
		}
		uint32_t type = raw32(hdr, r->swap);
		if (type == SHB) {
			/* the byte-order magic after the length decides */
			uint8_t bom[4];
			if (fread(bom, 1, 4, r->f) != 4) {
				snprintf(err, err_len, "pcapng section header cut short");
				return -2;
			}
			r->swap = raw32(bom, false) != BOM;
			r->n_ifaces = 0;
			uint32_t len = raw32(hdr + 4, r->swap);
			if (len < 28 || len > MAX_BLOCK || len % 4) {
				snprintf(err, err_len, "pcapng section header of bad length %u", len);
				return -1;
			}
			/* read past the rest (the stream may be a gzip one, not seekable) */
			if (len - 12 > r->cap) {
				r->cap = len - 12;
				r->buf = g_realloc(r->buf, r->cap);
			}
			if (fread(r->buf, 1, len - 12, r->f) != len - 12) {
				snprintf(err, err_len, "pcapng section header cut short");
				return -2;
			}
			continue;
		}
		uint32_t len = raw32(hdr + 4, r->swap);
		if (len < 12 || len > MAX_BLOCK || len % 4) {
			snprintf(err, err_len, "pcapng block of bad length %u", len);
			return -1;
		}
		if (len - 8 > r->cap) {
			r->cap = len - 8;
			r->buf = g_realloc(r->buf, r->cap);
		}
		if (fread(r->buf, 1, len - 8, r->f) != len - 8) {
			snprintf(err, err_len, "pcapng block cut short");
			return -2;
		}
		struct cursor c = cur_init(r->buf, len - 12);
		uint32_t iface = 0, caplen = 0, wirelen = 0;
		uint64_t ts = 0;
		bool has_ts = true;
		switch (type) {
		case IDB:
			read_idb(r, &c);
			continue;
		case EPB:
			iface = get32(r, &c);
			ts = (uint64_t)get32(r, &c) << 32;
			ts |= get32(r, &c);
			caplen = get32(r, &c);
			wirelen = get32(r, &c);
			break;
		case PB:
			iface = get16(r, &c);
			cur_skip(&c, 2);
			ts = (uint64_t)get32(r, &c) << 32;
			ts |= get32(r, &c);
			caplen = get32(r, &c);
			wirelen = get32(r, &c);
			break;
		case SPB:
			wirelen = get32(r, &c);
			caplen = (uint32_t)cur_left(&c);
			if (r->n_ifaces && r->ifaces[0].snaplen && caplen > r->ifaces[0].snaplen)
				caplen = r->ifaces[0].snaplen;
			if (caplen > wirelen)
				caplen = wirelen;
			has_ts = false;
			break;
		default:
			continue; /* statistics, name resolution, secrets, custom blocks */
		}
		const uint8_t *data = cur_take(&c, caplen);
		if (!data || iface >= r->n_ifaces) {
			snprintf(err, err_len, "pcapng packet block lies about its length or interface");
			return -1;
		}
		const struct iface *i = &r->ifaces[iface];
		p->ts_ns = has_ts ? to_ns(i, ts) : r->last_ts;
		r->last_ts = p->ts_ns;
		p->dlt = i->dlt;
		p->data = data;
		p->caplen = caplen;
		p->wirelen = wirelen < caplen ? caplen : wirelen;
		return 1;
	}
}
