/* Reading pcapng whose interfaces have different link types, which libpcap
 * 1.10 refuses; each packet carries its own link type. */
#ifndef ESPREKEY_PCAPNG_H
#define ESPREKEY_PCAPNG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct pcapng_reader;

struct pcapng_packet {
	uint64_t ts_ns;
	int dlt;
	const uint8_t *data;    /* valid until the next call */
	uint32_t caplen, wirelen;
};

/* Takes over f (closed by pcapng_close), positioned at the file's start. */
struct pcapng_reader *pcapng_open(FILE *f);
/* 1: a packet; 0: the end; -1: a malformed block; -2: the file is cut short
 * (err says what, in either case). */
int pcapng_next(struct pcapng_reader *r, struct pcapng_packet *p, char *err, size_t err_len);
void pcapng_close(struct pcapng_reader *r);

#endif
