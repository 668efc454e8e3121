/* Batch runs over archives of captures (--batch, -j, --shard). */
#ifndef ESPREKEY_BATCH_H
#define ESPREKEY_BATCH_H

#include "analyzer/options.h"

/* Analyzes every capture under o->captures on its own; returns the exit status. */
int batch_run(const struct options *o);

#endif
