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
all: esprekey $(if $(GEN_SRC),samples/mkcapture)

esprekey: $(BUILD)/esprekey
	cp $< $@

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
	BUILD=$(BUILD) prove -f -e '' $(TEST_BIN) $(sort $(wildcard tests/e2e/*.t))

demo: deps
	@$(MAKE) --no-print-directory all
	./esprekey samples/windows-nvr510.pcapng --keys samples/windows-nvr510.keys

install: esprekey
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 esprekey $(DESTDIR)$(BINDIR)/esprekey
	install -m 644 man/esprekey.1 $(DESTDIR)$(MANDIR)/man1/esprekey.1

clean:
	rm -rf build build-san esprekey samples/mkcapture

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
