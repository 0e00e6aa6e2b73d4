#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char kk_msg[1024];
static const char *(*kk_translator)(const char *msgid);

void kk_err_set_translator(const char *(*tr)(const char *msgid)) { kk_translator = tr; }

const char *kk_err_tr(const char *msgid)
{
    const char *t = kk_translator && msgid ? kk_translator(msgid) : NULL;
    return t ? t : msgid;
}

int kk_err_set(int code, const char *fmt, ...)
{
    /* formatted aside first: the arguments may include kk_err_msg() itself */
    char tmp[sizeof kk_msg];
    va_list ap;
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(tmp, sizeof tmp, kk_err_tr(fmt), ap); /* translations keep the directives
                                                      (msgfmt --check) */
#pragma GCC diagnostic pop
    va_end(ap);
    memcpy(kk_msg, tmp, sizeof kk_msg);
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
