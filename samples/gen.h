/* mkcapture — synthetic Windows 10 <-> Yamaha NVR510 L2TP/IPsec capture generator.
 *
 * Independent of esprekey's own dissect/ and keys/ code on purpose: it is the
 * oracle that esprekey's decryption is tested against, so nothing is shared.
 */
#ifndef MKCAPTURE_GEN_H
#define MKCAPTURE_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>
#include <gcrypt.h>

#define NS_PER_S ((uint64_t)1000000000)
#define MS(x) ((uint64_t)((x) * 1000000.0))   /* milliseconds -> ns */

/* ---------------------------------------------------------------- rng.c */
/* xoshiro256**, seeded with splitmix64: every output byte follows from --seed. */
typedef struct { uint64_t s[4]; } rng_t;
void     rng_seed(rng_t *r, uint64_t seed);
uint64_t rng_u64(rng_t *r);
uint32_t rng_u32(rng_t *r);
double   rng_unit(rng_t *r);                       /* [0,1) */
uint64_t rng_range(rng_t *r, uint64_t lo, uint64_t hi); /* [lo,hi] */
void     rng_bytes(rng_t *r, uint8_t *out, size_t n);

/* --------------------------------------------------------------- options */
enum { LINK_ETH, LINK_PPPOE, LINK_SLL };
enum { FMT_PCAPNG, FMT_PCAP, FMT_PCAP_NS };
enum { KEYS_ESP, KEYS_SKEYID, KEYS_BOTH };
enum { COUNT_PLAIN, COUNT_ESP };

typedef struct {
    gint64  seed;
    double  duration;          /* s of bulk traffic */
    gint64  total_bytes;       /* stop bulk traffic after this many ESP bytes (0 = off) */
    double  rate_up, rate_down; /* Mbit/s of TCP payload */
    gint64  life_kb, life_s;
    int     count_basis;       /* COUNT_PLAIN / COUNT_ESP */
    int     kb_unit;           /* 1000 or 1024 */
    double  rekey_pct;         /* % of the lifetime at which Windows rekeys */
    double  dip_depth, dip_len; /* fraction 0..1, seconds */
    int     extra_dips;
    double  loss;              /* per data segment */
    int     late_packets;
    gboolean router_switch_qm3; /* router sends on the new SA from QM3 on (else from the Delete) */
    gboolean delete_before_qm3;  /* gboolean: GOption writes an int */
    gboolean natt, encap_draft;
    int     link;
    gboolean ipv6;
    int     format;
    int     tunnels;
    gboolean no_ike;
    double  capture_start;     /* s after t0: drop earlier packets */
    int     keys;
    int     esp_fields;        /* 8 or 10 */
    int     snaplen;
    double  rtt_ms;
    int     inner_mtu;
    gint64  start_epoch;
    gboolean no_l2tp_setup;
    char   *psk;
    char   *out_capture, *out_keys, *out_truth;
    char   *cmdline;
} opts_t;

/* ------------------------------------------------------------- wire.c */
typedef struct {
    uint8_t a[16];
    int     len;           /* 4 or 16 */
} ipaddr_t;

typedef struct {
    FILE    *f;
    int      format, link;
    uint32_t snaplen;
    uint64_t packets, bytes;
    uint64_t first_ns, last_ns;
    uint64_t drop_before_ns; /* --capture-start */
} capw_t;

bool     cap_open(capw_t *w, const char *path, int format, int link, uint32_t snaplen);
/* data points at the network-layer (IP) header; headroom >= 32 bytes before it must be writable. */
bool     cap_write_ip(capw_t *w, uint64_t t_ns, uint8_t *ip, size_t len, bool from_client, bool v6);
bool     cap_close(capw_t *w);

uint16_t csum_fold(uint32_t sum);
uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n);
/* Writes an IP header of `payload_len` bytes of protocol `proto` in front of `payload`; returns header start. */
uint8_t *put_ip(uint8_t *payload, size_t payload_len, uint8_t proto, const ipaddr_t *src,
                const ipaddr_t *dst, uint16_t ipid);
/* UDP header in front of payload; checksum computed when `csum`. */
uint8_t *put_udp(uint8_t *payload, size_t payload_len, uint16_t sport, uint16_t dport,
                 const ipaddr_t *src, const ipaddr_t *dst, bool csum);
void     put16(uint8_t *p, uint16_t v);
void     put32(uint8_t *p, uint32_t v);
uint32_t get32(const uint8_t *p);
void     hexstr(char *out, const uint8_t *b, size_t n);   /* lower-case, NUL-terminated */
void     addr_str(char *out, const ipaddr_t *a);

/* ---------------------------------------------------------------- esp */
typedef struct {
    uint32_t spi;
    int      tunnel, gen, dir;      /* dir: 0 up (client->server), 1 down */
    uint8_t  ekey[16], akey[20];
    gcry_cipher_hd_t ch;
    gcry_md_hd_t     mh;
    uint32_t seq;
    uint32_t qm_msgid;
    int      key_line;              /* 1-based, 0 = not in key file */
    /* counters for packets written to the capture */
    uint64_t packets, esp_bytes, plain_bytes, first_ns, last_ns;
    /* Windows' lifetime counter (all packets, also before --capture-start) */
    uint64_t counted;
    uint64_t installed_ns;
    uint64_t late_packets, late_last_ns;
    bool     deleted;
} esp_sa_t;

void sa_keymat(esp_sa_t *sa, const uint8_t skeyid_d[20], const uint8_t *ni, size_t nilen,
               const uint8_t *nr, size_t nrlen);
void sa_open(esp_sa_t *sa);
void sa_close(esp_sa_t *sa);
/* Encrypts in place: esp points at SPI; plaintext of plen bytes sits at esp+24.
 * Returns the ESP length (SPI..ICV). iv: 16 bytes. */
size_t sa_seal(esp_sa_t *sa, uint8_t *esp, size_t plen, uint8_t next_header, const uint8_t iv[16]);

/* ------------------------------------------------------------- ike.c */
void prf_sha1(uint8_t out[20], const uint8_t *key, size_t klen, int n, ...); /* n (ptr,len) pairs */

typedef struct {
    uint8_t *b;
    size_t   len, cap;
    size_t   np_off;       /* offset of the "next payload" byte to patch */
} msg_t;

void   msg_init(msg_t *m, const uint8_t cky_i[8], const uint8_t cky_r[8], uint8_t exch,
                uint8_t flags, uint32_t msgid);
size_t pl_begin(msg_t *m, uint8_t type);
void   pl_end(msg_t *m, size_t off);
void   msg_put(msg_t *m, const void *p, size_t n);
void   msg_u8(msg_t *m, uint8_t v);
void   msg_u16(msg_t *m, uint16_t v);
void   msg_u32(msg_t *m, uint32_t v);
void   msg_finish(msg_t *m);                /* sets the header length */
/* Pads and encrypts everything after the header with AES-128-CBC; iv is updated to the last block. */
void   msg_encrypt(msg_t *m, const uint8_t ka[16], uint8_t iv[16]);

/* ------------------------------------------------------------- sim.c */
int run(opts_t *o);

#endif
