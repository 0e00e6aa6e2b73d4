#include "err.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char kk_msg[1024];

int kk_err_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(kk_msg, sizeof kk_msg, fmt, ap);
    va_end(ap);
    return code;
}

const char *kk_err_msg(void) { return kk_msg; }

const char *kk_err_name(int code)
{
    switch (code) {
    case KK_OK: return "ok";
    case KK_ENOMEM: return "out of memory";
    case KK_EIO: return "i/o error";
    case KK_EINVAL: return "invalid argument";
    case KK_EFORMAT: return "bad format";
    case KK_ENOENT: return "not found";
    case KK_EEXIST: return "already exists";
    case KK_ERULES: return "rules error";
    case KK_EUNSUP: return "unsupported";
    case KK_ESTOP: return "interrupted";
    default: return "internal error";
    }
}
