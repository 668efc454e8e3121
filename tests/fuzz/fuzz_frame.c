/* Fuzz target: one captured frame through dissect_frame.  Byte 0 picks a
 * link type, byte 1 how much longer the frame claims to have been on the wire
 * (to exercise truncation); the fragment table persists across inputs. */
#include <stddef.h>
#include <stdint.h>

#include "dissect/frame.h"
#include "dissect/inner.h"
#include "dissect/isakmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int frame_dlts[] = { 0, 1, 9, 12, 14, 50, 51, 101, 104, 108, 113, 204, 228, 229, 276, 147 };

static volatile uint8_t frame_sink;

static void frame_touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	frame_sink = x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frag_table *ft;
	static uint64_t ts;

	if (size < 2)
		return 0;
	if (!ft)
		ft = frag_table_new();
	int dlt = frame_dlts[data[0] % (sizeof frame_dlts / sizeof frame_dlts[0])];
	uint32_t extra = data[1];
	data += 2;
	size -= 2;
	ts += (uint64_t)extra * 1000000000ull / 16; /* time moves, sometimes past the timeout */

	struct frame f;
	dissect_frame(ft, dlt, ts, data, (uint32_t)size, (uint32_t)size + extra, &f);
	if (f.kind == FK_ESP) {
		frame_touch(f.esp, f.esp_caplen);
		struct inner in;
		dissect_inner_cap(4, f.esp + 8, f.esp_caplen - 8, f.esp_len - 8, &in);
	} else if (f.kind == FK_IKE) {
		frame_touch(f.ike, f.ike_caplen);
		struct isakmp_iter it;
		struct isakmp_header h;
		struct isakmp_payload pl;
		isakmp_iter_msg(&it, f.ike, f.ike_caplen, f.ike_len, &h);
		while (isakmp_iter_next(&it, &pl))
			frame_touch(pl.body, pl.body_len);
	}
	return 0;
}
