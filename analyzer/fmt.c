#include "analyzer/fmt.h"

#include <string.h>
#include <time.h>

char *fmt_iso(uint64_t ts_ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ts_ns / 1000000000ull);
	unsigned usec = (unsigned)(ts_ns % 1000000000ull / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char day[24];
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06uZ", day, usec);
	return buf;
}

void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
