/* anomaly_text / anomaly_name / anomaly_is_truncation */
#include <glib.h>
#include <ctype.h>
#include <string.h>

#include "dissect/packet.h"

static void test_names_follow_identifiers(void)
{
	static const struct {
		enum anomaly a;
		const char *id;
		bool trunc;
	} all[] = {
#define X(id, txt, trunc) { AN_##id, #id, trunc },
		ANOMALY_LIST(X)
#undef X
	};
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
		char want[64];
		size_t j = 0;
		for (; all[i].id[j]; j++)
			want[j] = all[i].id[j] == '_' ? '-' : (char)tolower((unsigned char)all[i].id[j]);
		want[j] = 0;
		g_assert_cmpstr(anomaly_name(all[i].a), ==, want);
		g_assert_true(anomaly_is_truncation(all[i].a) == all[i].trunc);
		g_assert_nonnull(anomaly_text(all[i].a));
		/* truncation kinds are named so, and only they */
		g_assert_true((strstr(want, "truncated") != NULL) == all[i].trunc);
	}
	g_assert_cmpuint(G_N_ELEMENTS(all), ==, AN_COUNT - 1);
}

static void test_specific(void)
{
	g_assert_cmpstr(anomaly_name(AN_NONE), ==, "none");
	g_assert_cmpstr(anomaly_name(AN_IP_TRUNCATED), ==, "ip-truncated");
	g_assert_cmpstr(anomaly_name(AN_IP_FRAG_DROPPED), ==, "ip-frag-dropped");
	g_assert_cmpstr(anomaly_text(AN_UDP_MALFORMED), ==, "UDP length field lies");
	g_assert_true(anomaly_is_truncation(AN_ESP_TRUNCATED));
	g_assert_false(anomaly_is_truncation(AN_ESP_MALFORMED));
	g_assert_false(anomaly_is_truncation(AN_NONE));
	g_assert_cmpstr(anomaly_name((enum anomaly)999), ==, "unknown");
	g_assert_cmpstr(anomaly_name((enum anomaly)-1), ==, "unknown");
	g_assert_false(anomaly_is_truncation((enum anomaly)999));
	g_assert_nonnull(anomaly_text((enum anomaly)AN_COUNT));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dissect/anomaly/names", test_names_follow_identifiers);
	g_test_add_func("/dissect/anomaly/specific", test_specific);
	return g_test_run();
}
