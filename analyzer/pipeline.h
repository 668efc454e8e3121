/* ESP decryption on a worker thread.  The reading thread copies each packet
 * to decrypt into a batch; full batches go to the worker, which decrypts them
 * in order and hands the batches back.  A fixed set of batches keeps memory
 * flat: the reader waits when the worker is that far behind. */
#ifndef ESPREKEY_PIPELINE_H
#define ESPREKEY_PIPELINE_H

#include "analyzer/decrypt.h"

struct pipeline;

struct pipeline *pipeline_new(struct decryptor *d);
/* Queues one packet that decrypt_esp_ready() accepted. */
void pipeline_esp(struct pipeline *p, struct esp_sa *sa, const struct frame *f, uint64_t ts);
/* Queues the plaintext snapshots, so they fall between the right packets. */
void pipeline_snapshot_exchange(struct pipeline *p, struct exchange *x);
void pipeline_snapshot_superseded(struct pipeline *p, struct esp_sa *sa);
/* Returns when the worker has handled everything queued. */
void pipeline_drain(struct pipeline *p);
/* Drains, stops the worker and frees. */
void pipeline_free(struct pipeline *p);

#endif
