# tests/fuzz/fuzz.mk - fuzz harnesses (tests/fuzz/fuzz_*.c). Included by the top Makefile
# after its first target (it uses BUILD, CC, CPPFLAGS, CFLAGS, LDFLAGS, LDLIBS and
# $(BUILD)/libkaketsuke.a from there). Two builds of the same harnesses:
#
#   $(FUZZ_REPLAY)   $(BUILD)/tests/replay_<harness>: the harness + tests/fuzz/replay.c,
#                    built with the normal compiler and flags (ASan/UBSan with SANITIZE=1);
#                    it replays tests/fuzz/corpus/<harness>/ as a regression test
#                    (tests/integration/15-fuzz-replay.sh). make test needs them.
#   make fuzz        build/fuzz/fuzz_<harness>: libFuzzer binaries (clang, ASan + UBSan,
#                    the library rebuilt with coverage in build/fuzz/). Not part of make
#                    check. Run one with tests/fuzz/run.sh HARNESS [SECONDS].
#
# Needs for `make fuzz`: clang (Debian: clang-14) and libclang-rt-14-dev.

FUZZ_HARNESSES := ioc filetype text image field
FUZZ_REPLAY    := $(FUZZ_HARNESSES:%=$(BUILD)/tests/replay_%)
FUZZ_COMMON    := tests/fuzz/fuzz_util.h tests/fuzz/fuzz.mk

$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_COMMON) $(BUILD)/libkaketsuke.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c \
	    $(BUILD)/libkaketsuke.a $(LDFLAGS) $(LDLIBS)

# ---- libFuzzer build (make fuzz) -------------------------------------------------------
FUZZ_CC      ?= $(shell command -v clang-14 2>/dev/null || command -v clang 2>/dev/null || echo clang)
FUZZ_OUT     := build/fuzz
FUZZ_PKGS    := $(if $(PKGS),$(PKGS),yara tsk libmagic libcrypto jansson libpcre2-8 libzip)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra -pthread \
                $(FUZZ_SAN) $(shell pkg-config --cflags $(FUZZ_PKGS) 2>/dev/null)
FUZZ_LIBS    := $(shell pkg-config --libs $(FUZZ_PKGS) 2>/dev/null) -pthread
# the whole library (the harnesses pull only what they use from the archive)
FUZZ_LIB_SRC := $(if $(LIB_SRC),$(LIB_SRC),$(wildcard src/*/*.c))
FUZZ_LIB_SRC := $(filter-out src/cli/%,$(FUZZ_LIB_SRC))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ_OUT)/obj/%.o)
FUZZ_BINS    := $(FUZZ_HARNESSES:%=$(FUZZ_OUT)/fuzz_%)

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_OUT)/libkaketsuke-fuzz.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) $(FUZZ_OUT)/libkaketsuke-fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_OUT)/libkaketsuke-fuzz.a $(FUZZ_LIBS)

.PHONY: fuzz
fuzz: $(FUZZ_BINS)

-include $(FUZZ_LIB_OBJ:.o=.d)
