#define _GNU_SOURCE /* fopencookie */
#include "analyzer/capture.h"
#include "analyzer/pcapng.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Archived captures are often gzip-compressed; libpcap reads from any FILE *,
 * so a cookie stream over zlib streams them without a temporary file. */
static ssize_t gz_read(void *cookie, char *buf, size_t len)
{
	int n = gzread(cookie, buf, (unsigned)(len > (1u << 30) ? (1u << 30) : len));
	return n < 0 ? -1 : n;
}

static int gz_close(void *cookie)
{
	return gzclose(cookie) == Z_OK ? 0 : -1;
}

static bool is_gzip(const char *path)
{
	unsigned char magic[2] = { 0, 0 };
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : NULL;
	if (!f)
		return false;
	bool gz = fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	fclose(f);
	return gz;
}

/* zlib passes data that is not gzip through unchanged, so standard input,
 * which cannot be looked at beforehand, always goes this way. */
static FILE *open_gzip(const char *path, char *err)
{
	gzFile gz = strcmp(path, "-") == 0 ? gzdopen(dup(fileno(stdin)), "rb") : gzopen(path, "rb");
	if (!gz) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s: cannot open", path);
		return NULL;
	}
	gzbuffer(gz, 1 << 17);
	cookie_io_functions_t io = { .read = gz_read, .close = gz_close };
	FILE *f = fopencookie(gz, "rb", io);
	if (!f) {
		gzclose(gz);
		snprintf(err, PCAP_ERRBUF_SIZE, "%s: cannot open", path);
	}
	return f;
}

/* stdio's default 4 KiB reads cost a system call per few packets; large
 * reads and a sequential-access hint keep the kernel's share small. */
static FILE *open_plain(const char *path, char *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	posix_fadvise(fileno(f), 0, 0, POSIX_FADV_SEQUENTIAL);
	return f;
}

static FILE *open_stream(const char *path, char *err)
{
	return strcmp(path, "-") == 0 || is_gzip(path) ? open_gzip(path, err) : open_plain(path, err);
}

bool capture_open(struct capture *c, const char *path)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	memset(c, 0, sizeof(*c));
	c->path = path;
	FILE *f = open_stream(path, err);
	if (f) {
		c->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
		if (!c->pcap)
			fclose(f);
	}
	if (!c->pcap) {
		/* libpcap's words for a non-capture file are cryptic; say what it is */
		if (strstr(err, "unknown file format") || strstr(err, "truncated dump file") ||
		    strstr(err, "bad dump file format"))
			snprintf(c->error, sizeof(c->error), "%s: not a pcap or pcapng capture (%s)", path, err);
		else
			snprintf(c->error, sizeof(c->error), "%s", err);
		return false;
	}
	c->dlt = pcap_datalink(c->pcap);
	return true;
}

/* libpcap 1.10 reads one link type per pcapng file: at the first interface
 * of another type, read the file again with our own reader, from where
 * libpcap stopped. */
static bool switch_to_own_reader(struct capture *c)
{
	char err[PCAP_ERRBUF_SIZE];
	if (strcmp(c->path, "-") == 0)
		return false;
	FILE *f = open_stream(c->path, err);
	if (!f)
		return false;
	c->ng = pcapng_open(f);
	struct pcapng_packet p;
	char msg[128];
	for (uint64_t i = 0; i < c->frames; i++)
		if (pcapng_next(c->ng, &p, msg, sizeof(msg)) != 1)
			return false;
	pcap_close(c->pcap);
	c->pcap = NULL;
	c->mixed_link_types = true;
	return true;
}

static int next_own(struct capture *c, uint64_t *ts_ns, const uint8_t **data, uint32_t *caplen, uint32_t *wirelen)
{
	struct pcapng_packet p;
	char msg[128];
	int rc = pcapng_next(c->ng, &p, msg, sizeof(msg));
	if (rc == 1) {
		c->frames++;
		c->dlt = p.dlt;
		*ts_ns = p.ts_ns;
		*data = p.data;
		*caplen = p.caplen;
		*wirelen = p.wirelen;
		return 1;
	}
	if (rc == 0)
		return 0;
	c->cut_short = rc == -2;
	snprintf(c->error, sizeof(c->error), "%s: %s after %llu frames (%s)", c->path,
		 rc == -2 ? "capture file cut short" : "malformed pcapng", (unsigned long long)c->frames, msg);
	return rc == -2 ? 0 : -1;
}

int capture_next(struct capture *c, uint64_t *ts_ns, const uint8_t **data, uint32_t *caplen, uint32_t *wirelen)
{
	if (c->ng)
		return next_own(c, ts_ns, data, caplen, wirelen);
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc = pcap_next_ex(c->pcap, &h, &d);
	if (rc == 1) {
		c->frames++;
		*ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		*data = d;
		*caplen = h->caplen;
		*wirelen = h->len;
		return 1;
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	const char *msg = pcap_geterr(c->pcap);
	if (strstr(msg, "different from the type of the first interface") && switch_to_own_reader(c))
		return next_own(c, ts_ns, data, caplen, wirelen);
	if (strstr(msg, "truncated")) {
		c->cut_short = true;
		snprintf(c->error, sizeof(c->error), "%s: capture file cut short after %llu frames (%s)",
			 c->path, (unsigned long long)c->frames, msg);
		return 0;
	}
	snprintf(c->error, sizeof(c->error), "%s: %s", c->path, msg);
	return -1;
}

void capture_close(struct capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap);
	c->pcap = NULL;
	pcapng_close(c->ng);
	c->ng = NULL;
}
