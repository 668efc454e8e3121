#include "analyzer/capture.h"

#include <stdio.h>
#include <string.h>

bool capture_open(struct capture *c, const char *path)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
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

int capture_next(struct capture *c, uint64_t *ts_ns, const uint8_t **data, uint32_t *caplen, uint32_t *wirelen)
{
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
}
