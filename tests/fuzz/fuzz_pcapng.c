/* libFuzzer target: any bytes as a pcapng file for the own pcapng reader. */
#include <stdint.h>
#include <stdio.h>

#include "analyzer/pcapng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	struct pcapng_reader *r = pcapng_open(f);
	struct pcapng_packet p;
	char err[128];
	for (int n = 0; n < 100000 && pcapng_next(r, &p, err, sizeof(err)) == 1; n++)
		;
	pcapng_close(r);
	return 0;
}
