/* ESP keys embedded in a pcapng file: Decryption Secrets Blocks of type
 * "ESPS" carry Wireshark esp_sa records. */
#ifndef ESPREKEY_SECRETS_H
#define ESPREKEY_SECRETS_H

#include <glib.h>
#include <stdbool.h>

#include "keys/keystore.h"

/* Loads the ESP records of the DSBs that come before the first packet (where
 * editors put them) into *ks, creating it if NULL.  Not a pcapng file, or no
 * DSB: true and nothing loaded.  A bad record: false, *err "FILE: DSB N:LINE: ...". */
bool capture_load_secrets(const char *path, struct keystore **ks, unsigned *loaded, GError **err);

#endif
