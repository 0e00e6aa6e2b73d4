/* i18n.h - translated report and message strings (ja, en), per call, without locales.
 *
 * Catalogs are ordinary GNU gettext catalogs: reports/po/ja.po, compiled by msgfmt (rule in
 * reports/reports.mk) into LOCALEDIR/ja/LC_MESSAGES/kaketsuke.mo. Strings are marked for
 * xgettext with kk_tr() (keyword kk_tr:2) and N_() (static tables); msgids are English, so
 * English needs no catalog.
 *
 * Why not dgettext(): glibc selects the catalog from the process locale. With LANG=C (and no
 * ja_JP.UTF-8 locale generated, the usual case on a responder's live system) it ignores
 * LANGUAGE and returns the English msgid; it only works after setlocale(LC_ALL, "C.UTF-8")
 * plus LANGUAGE=ja in the environment, both process-wide, which a library must not change
 * and which cannot give a Japanese and an English report from one run (triage writes both)
 * or from two threads. So kk_tr() reads the same .mo files itself: the language is a
 * parameter, nothing depends on the locale, lookups are thread-safe.
 *
 * LOCALEDIR, first that holds kaketsuke.mo for the language:
 *   $KAKETSUKE_LOCALEDIR, <binary dir>/locale (the build tree: build/locale),
 *   <binary dir>/../share/locale (installed), <binary dir>/../locale (build/tests/...).
 */
#ifndef KK_I18N_H
#define KK_I18N_H

/* Mark a string for xgettext without translating it (tables of msgids). */
#define N_(s) (s)

#define KK_TEXTDOMAIN "kaketsuke"

/* Translation of msgid into lang ("ja", "en", "ja_JP.UTF-8", ...); msgid itself when the
 * language is English, unknown, has no catalog, or the catalog lacks the string.
 * The result lives until the process exits. */
const char *kk_tr(const char *lang, const char *msgid) __attribute__((format_arg(2)));

/* The language code kk_tr understands for lang: "ja" for ja, ja_JP, ja_JP.UTF-8 ...,
 * "en" for everything else, NULL and "". */
const char *kk_i18n_norm(const char *lang);

/* The user's language from LANGUAGE, LC_ALL, LC_MESSAGES, LANG (first set): "ja" or "en".
 * Works when the named locale is not installed. */
const char *kk_i18n_env_lang(void);

/* KK_OK when lang is English or its catalog loads; otherwise KK_ENOENT (or KK_EFORMAT for a
 * damaged catalog) with a message naming the folders searched. */
int kk_i18n_check(const char *lang);

/* The folder the catalog of lang was loaded from (NULL for English or when none). */
const char *kk_i18n_dir(const char *lang);

#endif
