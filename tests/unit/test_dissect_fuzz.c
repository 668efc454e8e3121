/* Replays the fuzz targets' corpora (tests/fuzz/corpus/<target>/, and any
 * tests/fuzz/regress/<target>/ findings) in the normal test run, so what the
 * fuzzers once reached stays crash-free under ASan/UBSan. */
#include <glib.h>

#define LLVMFuzzerTestOneInput fuzz_frame_one
#include "../fuzz/fuzz_frame.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_isakmp_one
#include "../fuzz/fuzz_isakmp.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_inner_one
#include "../fuzz/fuzz_inner.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_keyfile_one
#include "../fuzz/fuzz_keyfile.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_pcapng_one
#include "../fuzz/fuzz_pcapng.c"
#undef LLVMFuzzerTestOneInput

static unsigned replay_dir(const char *dir, int (*one)(const uint8_t *, size_t))
{
	GDir *d = g_dir_open(dir, 0, NULL);
	if (!d)
		return 0;
	unsigned n = 0;
	const char *name;
	while ((name = g_dir_read_name(d))) {
		gchar *path = g_build_filename(dir, name, NULL);
		gchar *data;
		gsize len;
		if (g_file_get_contents(path, &data, &len, NULL)) {
			/* an exact-size copy, so ASan sees reads past the end */
			uint8_t *exact = g_memdup2(data, len ? len : 1);
			one(exact, len);
			g_free(exact);
			g_free(data);
			n++;
		}
		g_free(path);
	}
	g_dir_close(d);
	return n;
}

static void replay(const char *target, int (*one)(const uint8_t *, size_t))
{
	gchar *corpus = g_build_filename("tests", "fuzz", "corpus", target, NULL);
	gchar *regress = g_build_filename("tests", "fuzz", "regress", target, NULL);
	if (!g_file_test(corpus, G_FILE_TEST_IS_DIR)) {
		g_test_skip("run from the repository root to find tests/fuzz/corpus");
	} else {
		unsigned n = replay_dir(corpus, one) + replay_dir(regress, one);
		g_test_message("%s: %u inputs", target, n);
		g_assert_cmpuint(n, >, 10);
	}
	g_free(corpus);
	g_free(regress);
}

static void test_frame(void) { replay("frame", fuzz_frame_one); }
static void test_isakmp(void) { replay("isakmp", fuzz_isakmp_one); }
static void test_inner(void) { replay("inner", fuzz_inner_one); }
static void test_keyfile(void) { replay("keyfile", fuzz_keyfile_one); }
static void test_pcapng(void) { replay("pcapng", fuzz_pcapng_one); }

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dissect/fuzz/frame", test_frame);
	g_test_add_func("/dissect/fuzz/isakmp", test_isakmp);
	g_test_add_func("/dissect/fuzz/inner", test_inner);
	g_test_add_func("/keys/fuzz/keyfile", test_keyfile);
	g_test_add_func("/analyzer/fuzz/pcapng", test_pcapng);
	return g_test_run();
}
