# bootable/portable.mk - the portable build; included by the top Makefile (which defines BUILD,
# CC, CFLAGS, PKGS, LIB_SRC, CLI_SRC, REPORT_MO ...).
#   make portable   $(BUILD)/kaketsuke-portable-<version>-x86_64.tar.gz: one folder that runs on
#                   any x86-64 Linux without installing anything (layout: bootable/portable/README.md)
#
# The binary is compiled again in its own object dir ($(BUILD)/portable/obj), so the normal build
# is untouched, and never with the sanitizers (SANITIZE=1 still gives a normal optimized build).
# Linked statically against the libraries Debian ships as .a files where that is safe, dynamically
# against the rest; bootable/portable/mkbundle.sh then bundles the shared libraries ldd finds
# (with the loader they are started through), the data files and the docs.

# keeps "all" the default goal wherever this file is included
all:

# the .so links of libtsk's dependencies (pkg-config --static tsk) for the link
DEB_PKGS += debootstrap libewf-dev libvhdi-dev libvmdk-dev libafflib-dev

PORTABLE_VERSION := $(shell sed -n 's/^\#define KK_VERSION "\(.*\)"/\1/p' src/cli/cli.h)
PORTABLE_NAME    := kaketsuke-portable-$(PORTABLE_VERSION)-x86_64
PORTABLE_TGZ     := $(BUILD)/$(PORTABLE_NAME).tar.gz
PORTABLE_DIR     := $(BUILD)/portable

# Static: libyara, libtsk, libmagic, libjansson, libpcre2-8. Their own dependencies (pkg-config
# --static) stay shared: libewf, libvmdk, libvhdi and libafflib have no .a in Debian.
# libpcre2-8.a: glib (shared, no safe static link: it needs gio/gmodule) loads its own
#   libpcre2-8.so.0 as well; harmless (same version, no shared state between the two copies).
# libcrypto.a is NOT used (falls back to shared): libzip has no .a and libzip.so, libafflib.so and
#   libcurl (through afflib) load libcrypto.so.3 anyway; a second, static OpenSSL in the binary
#   would interpose part of the shared one's symbols and split its global state (providers).
# pango, cairo, fontconfig, glib: shared (their static closure needs X11/selinux/... archives and
#   gio modules; the gain is small).
PORTABLE_STATIC_PKGS := yara tsk libmagic jansson libpcre2-8
PORTABLE_STATIC_LIBS := -lyara -ltsk -lmagic -ljansson -lpcre2-8
PORTABLE_SHARED_PKGS  = $(filter-out $(PORTABLE_STATIC_PKGS),$(PKGS))
PORTABLE_CFLAGS       = $(filter-out $(SANFLAGS),$(CFLAGS))
PORTABLE_LDFLAGS      = $(filter-out $(SANFLAGS),$(LDFLAGS)) -Wl,--as-needed
PORTABLE_LDLIBS       = -Wl,-Bstatic $(PORTABLE_STATIC_LIBS) -Wl,-Bdynamic \
    $(filter-out $(PORTABLE_STATIC_LIBS),$(shell pkg-config --static --libs $(PORTABLE_STATIC_PKGS))) \
    $(shell pkg-config --libs $(PORTABLE_SHARED_PKGS)) -lstdc++ -lm

PORTABLE_LIB_OBJ := $(LIB_SRC:%.c=$(PORTABLE_DIR)/obj/%.o)
PORTABLE_CLI_OBJ := $(CLI_SRC:%.c=$(PORTABLE_DIR)/obj/%.o)
PORTABLE_FILES   := $(wildcard bootable/portable/*) README.md src/cli/cli.h \
                    $(shell find signatures docs -type f 2>/dev/null)

.PHONY: portable
portable: $(PORTABLE_TGZ)

$(PORTABLE_TGZ): $(PORTABLE_DIR)/kaketsuke $(REPORT_MO) $(PORTABLE_FILES) $(PORTABLE_DIR)/epoch
	SOURCE_DATE_EPOCH=$$(cat $(PORTABLE_DIR)/epoch) STATIC="$(PORTABLE_STATIC_LIBS)" CC="$(CC)" \
	    bootable/portable/mkbundle.sh $(PORTABLE_DIR)/kaketsuke $(BUILD)/locale \
	    $(PORTABLE_VERSION) $@

$(PORTABLE_DIR)/kaketsuke: $(PORTABLE_CLI_OBJ) $(PORTABLE_DIR)/libkaketsuke.a
	$(CC) $(PORTABLE_LDFLAGS) -o $@ $(PORTABLE_CLI_OBJ) $(PORTABLE_DIR)/libkaketsuke.a $(PORTABLE_LDLIBS)

$(PORTABLE_DIR)/libkaketsuke.a: $(PORTABLE_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# the files' mtime in the tarball: SOURCE_DATE_EPOCH, else the last commit's time (a new commit
# makes a new tarball)
PORTABLE_EPOCH = $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),1700000000)
$(PORTABLE_DIR)/epoch: FORCE
	@mkdir -p $(PORTABLE_DIR)
	@echo '$(PORTABLE_EPOCH)' | cmp -s - $@ || echo '$(PORTABLE_EPOCH)' > $@

$(PORTABLE_DIR)/flags: FORCE
	@mkdir -p $(PORTABLE_DIR)
	@echo '$(CC) $(CPPFLAGS) $(PORTABLE_CFLAGS)' | cmp -s - $@ || echo '$(CC) $(CPPFLAGS) $(PORTABLE_CFLAGS)' > $@

$(PORTABLE_DIR)/obj/%.o: %.c $(PORTABLE_DIR)/flags
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PORTABLE_CFLAGS) -MMD -MP -c -o $@ $<

-include $(PORTABLE_LIB_OBJ:.o=.d) $(PORTABLE_CLI_OBJ:.o=.d)
