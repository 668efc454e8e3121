/* libFuzzer target: any bytes as a key file (every line shape, errors). */
#include <glib.h>
#include <stdint.h>

#include "keys/keystore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keystore *ks = keystore_new();
	GError *err = NULL;
	if (!keystore_load_text(ks, (const char *)data, size, "fuzz", &err))
		g_error_free(err);
	keystore_free(ks);
	return 0;
}
