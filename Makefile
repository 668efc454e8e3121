# esprekey — plain Makefile; CFLAGS, PREFIX and DESTDIR may be overridden.
PKGS     := libpcap glib-2.0 libgcrypt zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ALL_CFLAGS = -std=gnu11 $(WARN) $(PKG_CFLAGS) -I. -MMD -MP $(CFLAGS)
LDLIBS  += $(PKG_LIBS) -lm

ifeq ($(SANITIZE),1)
CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BUILD   := build-san
else
BUILD   := build
endif

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man

LIB_SRC  := $(wildcard dissect/*.c keys/*.c) $(filter-out analyzer/main.c,$(wildcard analyzer/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
GEN_SRC  := $(wildcard samples/*.c)
GEN_OBJ  := $(GEN_SRC:%.c=$(BUILD)/%.o)

.PHONY: all deps check check-run demo samples bench bench-data install clean
# With SANITIZE=1 the binary stays in build-san/ and ./esprekey is left alone.
all: $(if $(filter 1,$(SANITIZE)),$(BUILD)/esprekey,esprekey) $(if $(GEN_SRC),samples/mkcapture)

# a rename, so a running ./esprekey is replaced rather than written into
esprekey: build/esprekey
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/esprekey: $(BUILD)/analyzer/main.o $(BUILD)/libesprekey.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libesprekey.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libesprekey.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libesprekey.a $(LDLIBS)

samples/mkcapture: $(GEN_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests are GLib tests (TAP); end-to-end tests are executable scripts
# printing TAP.  prove runs both and prints the summary CI reads.
# Installs missing build dependencies (Debian packages) first; the recursive
# make then sees them through pkg-config.
deps:
	@tools/install-deps

check: deps
	@$(MAKE) --no-print-directory check-run

check-run: all $(TEST_BIN)
	ESPREKEY=$(CURDIR)/$(BUILD)/esprekey prove -f -e '' $(TEST_BIN) $(sort $(wildcard tests/e2e/*.t))

demo: deps
	@$(MAKE) --no-print-directory all
	./esprekey samples/windows-nvr510.pcapng --keys samples/windows-nvr510.keys

# The shipped demo sample (samples/README.md): byte-reproducible from its seed.
SAMPLE_ARGS := --seed 510 --link pppoe --nat-t --lifetime-kb 1000 --up 0.8 --down 2 -d 16 \
	--dip-length 0.3 --dip-depth 0.6 --extra-dips 2
samples: samples/mkcapture
	samples/mkcapture -o samples/windows-nvr510.pcapng $(SAMPLE_ARGS)

# Full-scale captures (real 250000 KB lifetime, 250/400 Mbit/s) for benchmarks.
BENCH_DIR ?= /tmp/esprekey-bench
bench-data: samples/mkcapture
	mkdir -p $(BENCH_DIR)
	samples/mkcapture -o $(BENCH_DIR)/full.pcapng --seed 1 -d 20
	samples/mkcapture -o $(BENCH_DIR)/full-natt-pppoe.pcapng --seed 2 --nat-t --link pppoe -d 12

# Benchmarks: ESP decryption against raw libgcrypt, then the whole tool on
# the bench-data captures (made first if missing).
bench: esprekey $(BUILD)/bench_esp
	$(BUILD)/bench_esp
	@test -f $(BENCH_DIR)/full.pcapng || $(MAKE) --no-print-directory bench-data
	tools/bench $(BENCH_DIR)/full.pcapng $(BENCH_DIR)/full-natt-pppoe.pcapng

$(BUILD)/bench_esp: tests/bench/bench_esp.c $(BUILD)/libesprekey.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O2 $(LDFLAGS) -o $@ $< $(BUILD)/libesprekey.a $(LDLIBS)

install: esprekey
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 esprekey $(DESTDIR)$(BINDIR)/esprekey
	install -m 644 man/esprekey.1 $(DESTDIR)$(MANDIR)/man1/esprekey.1

clean:
	rm -rf build build-san esprekey samples/mkcapture

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# fuzz ------------------------------------------------------------------------
# libFuzzer targets for the dissectors (tests/fuzz/fuzz_*.c).
#   make fuzz                 build them with clang into build-fuzz/
#   make fuzz-run [FUZZ_TIME=60]  run each for FUZZ_TIME s from tests/fuzz/corpus/<t>
#                             (new inputs go to build-fuzz/corpus/<t>, crashes to
#                             build-fuzz/crash-<t>-*; keep a finding as
#                             tests/fuzz/regress/<t>/<name>)
#   make fuzz-replay          the same targets with tests/fuzz/onefile.c as main,
#                             built like the rest ($(BUILD)/fuzz/), replaying the
#                             corpus and the regressions; tests/unit/test_dissect_fuzz
#                             does the same inside `make check`.
FUZZ_CC      ?= clang
FUZZ_TIME    ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
DISSECT_SRC  := $(wildcard dissect/*.c) $(wildcard keys/*.c) analyzer/pcapng.c

.PHONY: fuzz fuzz-run fuzz-replay
fuzz: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(DISSECT_SRC) $(wildcard dissect/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -I. $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -o $@ $< $(DISSECT_SRC) $(PKG_LIBS)

fuzz-run: fuzz
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus/$$t; \
		echo "fuzz_$$t: $(FUZZ_TIME) s"; \
		build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=build-fuzz/crash-$$t- \
			build-fuzz/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
		$(BUILD)/fuzz/fuzz_$$t tests/fuzz/corpus/$$t \
			$$(test -d tests/fuzz/regress/$$t && echo tests/fuzz/regress/$$t) || exit 1; \
	done

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/onefile.c $(DISSECT_SRC) $(wildcard dissect/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -I. $(PKG_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/onefile.c $(DISSECT_SRC) $(PKG_LIBS)

.PHONY: fuzz-clean
clean: fuzz-clean
fuzz-clean:
	rm -rf build-fuzz
