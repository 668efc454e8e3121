/* Fuzz target: a decrypted ESP payload through dissect_inner.  Byte 0 picks
 * the next header, byte 1 how many bytes at the end were "not captured". */
#include <stddef.h>
#include <stdint.h>

#include "dissect/esp.h"
#include "dissect/inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t inner_sink;

static void inner_touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	inner_sink = x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nhs[] = { 4, 41, 17, 6, 59, 50 };

	if (size < 2)
		return 0;
	uint8_t nh = nhs[data[0] % sizeof nhs];
	size_t cut = data[1];
	data += 2;
	size -= 2;

	struct inner in;
	dissect_inner_cap(nh, data, cut < size ? size - cut : 0, size, &in);
	if (in.layers & IL_L2TP)
		inner_touch(in.l2tp.payload, in.l2tp.payload_caplen);
	if (in.layers & IL_PPP)
		inner_touch(in.ppp.payload, in.ppp.payload_caplen);
	if (in.layers & IL_PPP_IP)
		inner_touch(in.ppp_ip.payload, in.anomaly == AN_NONE ? in.ppp_ip.payload_caplen : 0);
	if (in.layers & IL_UDP && in.anomaly == AN_NONE)
		inner_touch(in.udp.payload, in.udp.payload_caplen);

	uint8_t next;
	size_t len;
	bool ok;
	if (esp_trailer_parse(data, size, &next, &len, &ok) == AN_NONE)
		dissect_inner(next, data, len, &in);
	return 0;
}
