/* memscan.c - placeholder until the memory-image module lands: memory mode refuses. */
#include "memscan.h"
#include "../util/err.h"

int kk_mem_detect(const char *spec)
{
    (void)spec;
    return 0;
}

int kk_mem_scan(const char *spec, const kk_mem_opts *o, kk_scan_stats *st)
{
    (void)o;
    (void)st;
    return kk_err_set(KK_EUNSUP, "cannot scan '%s' as a memory image: not supported in this build", spec);
}
