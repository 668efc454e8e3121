/* Small formatting helpers shared by the report writers. */
#ifndef ESPREKEY_FMT_H
#define ESPREKEY_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "2026-11-24T20:06:31.123456Z" (UTC, microseconds); buf >= 32. */
char *fmt_iso(uint64_t ts_ns, char *buf, size_t len);
/* A CSV field: quoted when it holds a comma, quote or newline. */
void csv_field(FILE *f, const char *s);
/* A JSON string literal with escapes. */
void json_string(FILE *f, const char *s);

#endif
