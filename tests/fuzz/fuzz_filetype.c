/* fuzz_filetype.c - the file type table parser (src/scan/filetype.c) and the
 * longest-match lookup. A table either loads or fails with KK_EFORMAT naming file:line;
 * a loaded table answers lookups on any buffer with a name from the table or "". */
#include "fuzz_util.h"

#include "scan/filetype.h"
#include "util/err.h"

#include <string.h>

#define MAX_INPUT (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    const char *path = fuzz_memfd_path(data, size);
    if (!path)
        return 0;
    kk_filetypes *t = NULL;
    int rc = kk_filetypes_load(path, &t);
    if (rc != KK_OK) {
        FUZZ_CHECK(rc == KK_EFORMAT || rc == KK_ENOMEM);
        FUZZ_CHECK(t == NULL);
        FUZZ_CHECK(!strchr(kk_err_msg(), '\n'));
        return 0;
    }
    FUZZ_CHECK(t != NULL);
    /* the input itself, every prefix length up to the header size, and fixed headers */
    for (size_t n = 0; n <= KK_FILETYPE_HEADER && n <= size; n++) {
        const char *name = kk_filetype(t, data, n);
        FUZZ_CHECK(name != NULL);
        FUZZ_CHECK(!strchr(name, '\n') && !strchr(name, '\r'));
        if (n == 0)
            FUZZ_CHECK(name[0] == '\0');
    }
    static const unsigned char mz[] = "MZ\x90\x00\x03\x00\x00\x00";
    FUZZ_CHECK(kk_filetype(t, mz, sizeof mz - 1) != NULL);
    kk_filetypes_free(t);
    return 0;
}
