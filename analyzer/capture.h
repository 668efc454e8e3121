/* Reading frames from pcap or pcapng files (or standard input) with
 * nanosecond timestamps, through libpcap. */
#ifndef ESPREKEY_CAPTURE_H
#define ESPREKEY_CAPTURE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

struct pcapng_reader;

struct capture {
	pcap_t *pcap;
	struct pcapng_reader *ng;   /* instead of pcap, for pcapng with mixed link types */
	const char *path;
	int dlt;                    /* of the frame last read */
	bool mixed_link_types;
	uint64_t frames;
	bool cut_short;          /* the file ended inside a record */
	char error[PCAP_ERRBUF_SIZE + 64];
};

/* "-" reads standard input.  On failure returns false with a message in c->error. */
bool capture_open(struct capture *c, const char *path);
/* 1: a frame; 0: the end (c->cut_short tells a cut file); -1: read error in c->error. */
int capture_next(struct capture *c, uint64_t *ts_ns, const uint8_t **data, uint32_t *caplen, uint32_t *wirelen);
void capture_close(struct capture *c);

#endif
