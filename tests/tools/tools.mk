# Test helpers (not installed). Included by the top Makefile, which defines
# BUILD (e.g. build) and CC. Build them with `make $(TEST_TOOLS)`.

NTFSEDIT_CFLAGS := -Wall -Wextra -Werror -std=c11 -O2 $(shell pkg-config --cflags libntfs-3g 2>/dev/null)
NTFSEDIT_LIBS   := $(shell pkg-config --libs libntfs-3g 2>/dev/null || echo -lntfs-3g)

$(BUILD)/tests/ntfsedit: tests/tools/ntfsedit.c tests/tools/tools.mk
	@mkdir -p $(dir $@)
	$(CC) $(NTFSEDIT_CFLAGS) -o $@ $< $(NTFSEDIT_LIBS)

TEST_TOOLS += $(BUILD)/tests/ntfsedit
