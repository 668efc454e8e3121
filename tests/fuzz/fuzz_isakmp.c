/* Fuzz target: an ISAKMP message (byte 0 even) or a bare payload chain
 * (byte 0 odd; bit 1 = IKEv2, byte 1 = first payload type), then every
 * decoder on every payload. */
#include <stddef.h>
#include <stdint.h>

#include "dissect/isakmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t isakmp_sink;

static void isakmp_touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	isakmp_sink = x;
}

static void isakmp_decode(const struct isakmp_payload *pl)
{
	struct ikev1_sa sa1;
	struct ikev2_sa sa2;
	struct isakmp_ke ke;
	struct isakmp_blob b;
	struct isakmp_id id;
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct ikev2_sk sk;
	struct ikev1_attrs a;
	struct ikev2_ts_list ts;

	isakmp_touch(pl->body, pl->body_len);
	if (ikev1_sa_parse(pl, &sa1) == AN_NONE)
		for (unsigned i = 0; i < sa1.proposals_stored; i++)
			isakmp_touch(sa1.p[i].spi, sa1.p[i].spi_size < 16 ? sa1.p[i].spi_size : 16);
	(void)ikev2_sa_parse(pl, &sa2);
	if (isakmp_ke_parse(pl, &ke) == AN_NONE)
		isakmp_touch(ke.data, ke.len);
	if (isakmp_nonce_parse(pl, &b) == AN_NONE)
		isakmp_touch(b.data, b.len);
	if (isakmp_id_parse(pl, &id) == AN_NONE)
		isakmp_touch(id.data, id.len);
	if (isakmp_notify_parse(pl, &n) == AN_NONE)
		isakmp_touch(n.data, n.data_len);
	if (isakmp_delete_parse(pl, &d) == AN_NONE)
		isakmp_touch(d.spis, (size_t)d.n_spis * d.spi_size);
	if (ikev2_sk_parse(pl, &sk) == AN_NONE)
		isakmp_touch(sk.data, sk.len);
	(void)ikev1_attrs_parse(pl->body, pl->body_len, pl->type & 1, &a);
	(void)ikev2_ts_parse(pl, &ts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isakmp_iter it;
	struct isakmp_header h;
	struct isakmp_payload pl;

	if (size < 2)
		return 0;
	uint8_t mode = data[0], first = data[1];
	data += 2;
	size -= 2;
	if (mode & 1) {
		isakmp_iter_init(&it, first, mode & 2, data, size - (mode >> 4 < size ? mode >> 4 : 0), size);
	} else {
		/* the captured part may be shorter than the UDP payload */
		isakmp_iter_msg(&it, data, size - (mode >> 4 < size ? mode >> 4 : 0), size, &h);
	}
	while (isakmp_iter_next(&it, &pl))
		isakmp_decode(&pl);
	return 0;
}
