# kaketsuke - offline incident-response forensics and recovery kit.
#   make            build build/kaketsuke
#   make deps       install the Debian packages the build, tests and demo need
#   make check      deps + build + every test (tests/run); SANITIZE=1 for ASan+UBSan
#   make demo       deps + build + a scan of a generated sample disk image
#   make bench      benchmarks side by side with the yara CLI (prints ratios)
#   make portable   build/kaketsuke-portable-<version>-x86_64.tar.gz (runs on any x86-64 Linux)
#   make iso        build/kaketsuke-<version>-amd64.iso (hybrid BIOS+UEFI, Secure Boot; dd to a stick)
#   make iso-check  build the image and boot it in qemu (BIOS and UEFI) on a generated infected disk

BUILD   ?= build
CC      ?= cc
PKGS    := yara tsk libmagic libcrypto jansson libpcre2-8 libzip pangocairo cairo-pdf fontconfig
OPT     ?= -O2

ifeq ($(SANITIZE),1)
BUILD   := build/sanitize
# alignment: libyara 4.2's match lists (YR_MATCH) live in its unaligned "notebook"
# allocator, read through yr_string_matches_foreach in our code (harmless on x86-64)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize=alignment -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
endif

CPPFLAGS += -D_GNU_SOURCE
CFLAGS  += -std=c11 $(OPT) -g -Wall -Wextra -Werror -Wshadow -Wformat=2 -pthread $(SANFLAGS) \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS += -pthread $(SANFLAGS)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

# Debian packages: build, tests, demo and bench (make deps installs the missing ones).
DEB_BUILD := build-essential pkg-config libyara-dev libtsk-dev libmagic-dev libssl-dev \
             libjansson-dev libpcre2-dev libzip-dev libcmocka-dev libcairo2-dev libpango1.0-dev \
             libfontconfig-dev gettext fonts-noto-cjk
DEB_TEST  := yara python3 python3-yara sleuthkit jq ewf-tools qemu-utils dosfstools mtools \
             ntfs-3g ntfs-3g-dev e2fsprogs gdisk fdisk zip unzip openssl file tzdata xz-utils \
             forensics-samples-all p7zip-full poppler-utils chromium
DEB_PKGS  := $(DEB_BUILD) $(DEB_TEST)

LIB_SRC := $(wildcard src/util/*.c src/source/*.c src/scan/*.c src/memory/*.c src/evidence/*.c \
             src/artifact/*.c src/report/*.c src/field/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps check test demo bench clean fuzz FORCE
all: $(BUILD)/kaketsuke

$(BUILD)/kaketsuke: $(CLI_OBJ) $(BUILD)/libkaketsuke.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libkaketsuke.a $(LDLIBS)

$(BUILD)/libkaketsuke.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# objects are rebuilt when the compiler flags change (SANITIZE=1, OPT=...)
$(BUILD)/flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CPPFLAGS) $(CFLAGS)' | cmp -s - $@ || echo '$(CC) $(CPPFLAGS) $(CFLAGS)' > $@

$(BUILD)/obj/%.o: %.c $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/kk_test.h $(BUILD)/libkaketsuke.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libkaketsuke.a $(LDFLAGS) $(LDLIBS) -lcmocka

-include tests/tools/tools.mk
-include reports/reports.mk
-include tests/fuzz/fuzz.mk
-include bootable/portable.mk
-include bootable/iso.mk
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (apt-get)" >&2; exit 1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test: all $(UNIT_BIN) $(TEST_TOOLS) $(REPORT_MO) $(FUZZ_REPLAY)
	@BUILD=$(BUILD) tests/run

check: deps
	@$(MAKE) --no-print-directory test

demo: deps
	@$(MAKE) --no-print-directory all $(TEST_TOOLS) $(REPORT_MO)
	@BUILD=$(BUILD) tests/demo/run

bench: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/bench/run

clean:
	rm -rf build
