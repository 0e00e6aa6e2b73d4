/* ppc.c - PPC reporting deadlines (see ppc.h). */
#include "ppc.h"
#include "model.h"
#include "../evidence/evutil.h"
#include "../util/err.h"
#include "../util/json.h"

#include <stdio.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's method). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

int kk_date_add(const char *ymd, int days, char out[11])
{
    unsigned y, m, d;
    char tail;
    if (!ymd || sscanf(ymd, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || strlen(ymd) != 10 || m < 1 || m > 12 ||
        d < 1 || d > 31)
        return kk_err_set(KK_EINVAL, "malformed date '%s'", ymd ? ymd : "");
    long long z = days_from_civil(y, m, d) + days;
    long long yy;
    unsigned mm, dd;
    civil_from_days(z, &yy, &mm, &dd);
    /* a day that does not exist (Feb 30) moved on; compare to catch it */
    long long yc;
    unsigned mc, dc;
    civil_from_days(days_from_civil(y, m, d), &yc, &mc, &dc);
    if (yc != y || mc != m || dc != d)
        return kk_err_set(KK_EINVAL, "date '%s' does not exist", ymd);
    snprintf(out, 11, "%04lld-%02u-%02u", yy, mm, dd);
    return KK_OK;
}

int kk_ppc_compute(const char *personal_data, const char *discovered_at, const char *tz, const char *verdict,
                   const char *lang, json_t **out)
{
    *out = NULL;
    const char *pd = personal_data && *personal_data ? personal_data : "unknown";
    int applies = !strcmp(pd, "yes") || !strcmp(pd, "unknown");
    int unlawful = verdict && (!strcmp(verdict, "ransomware") || !strcmp(verdict, "compromised"));
    int days = unlawful ? 60 : 30;
    json_t *o = json_object();
    if (!o)
        return kk_err_set(KK_ENOMEM, "out of memory");
    json_object_set_new(o, "applies", json_boolean(applies));
    kk_jset_str(o, "personal_data", pd);
    kk_jset_str(o, "basis", unlawful ? "unauthorized_access" : "other");

    char date[11] = "";
    int have = 0;
    int64_t t;
    if (discovered_at && kk_time_parse(discovered_at, tz, &t) == KK_OK) {
        char iso[KK_TIME_LEN];
        kk_time_in_zone(t, tz, iso);
        json_object_set_new(o, "discovered_at", json_string(iso));
        kk_local_date(t, tz, date);
        json_object_set_new(o, "discovered_date", json_string(date));
        have = 1;
    } else {
        json_object_set_new(o, "discovered_at", json_null());
        json_object_set_new(o, "discovered_date", json_null());
    }
    if (!applies) {
        json_object_set_new(o, "preliminary", json_null());
        json_object_set_new(o, "final", json_null());
        kk_jset_str(o, "note",
                    kk_pick(lang,
                            "The case records that no personal data is affected: no report to the Personal "
                            "Information Protection Commission is due. Change personal_data if this turns out "
                            "otherwise.",
                            "個人データは含まれないと記録されているため、個人情報保護委員会への報告期限は示して"
                            "いません。含まれることが分かった場合は personal_data を変更してください。"));
        *out = o;
        return KK_OK;
    }
    json_t *pre = json_object(), *fin = json_object();
    char d1[11], d2[11], d3[11];
    if (have && kk_date_add(date, 3, d1) == KK_OK && kk_date_add(date, 5, d2) == KK_OK &&
        kk_date_add(date, days, d3) == KK_OK) {
        kk_jset_str(pre, "from", d1);
        kk_jset_str(pre, "to", d2);
        kk_jset_str(fin, "due", d3);
    } else {
        json_object_set_new(pre, "from", json_null());
        json_object_set_new(pre, "to", json_null());
        json_object_set_new(fin, "due", json_null());
    }
    json_object_set_new(pre, "days_from", json_integer(3));
    json_object_set_new(pre, "days_to", json_integer(5));
    kk_jset_str(pre, "rule",
                kk_pick(lang,
                        "Preliminary report (sokuho): promptly after learning of the breach; the PPC guidelines "
                        "take this as roughly 3 to 5 days. The day of discovery is not counted.",
                        "速報: 事態を知った後、速やかに報告します。ガイドラインでは、おおむね3〜5日以内が目安です"
                        "(発覚した日は数えません)。"));
    json_object_set_new(fin, "days", json_integer(days));
    kk_jset_str(fin, "rule",
                unlawful
                    ? kk_pick(lang,
                              "Final report (kakuho): within 60 days of learning of the breach, because it may "
                              "have been caused by unauthorised access or another act with an unlawful purpose "
                              "(30 days otherwise). The day of discovery is not counted; weekends and holidays are.",
                              "確報: 不正アクセスなど、不正の目的による漏えい等のおそれがあるため、事態を知った日から"
                              "60日以内に報告します(それ以外の場合は30日以内)。発覚した日は数えず、土日・祝日も日数に"
                              "含めます。")
                    : kk_pick(lang,
                              "Final report (kakuho): within 30 days of learning of the breach (60 days when it "
                              "may have been caused by unauthorised access or another act with an unlawful "
                              "purpose). The day of discovery is not counted; weekends and holidays are.",
                              "確報: 事態を知った日から30日以内に報告します(不正アクセスなど不正の目的によるおそれが"
                              "ある場合は60日以内)。発覚した日は数えず、土日・祝日も日数に含めます。"));
    json_object_set_new(o, "preliminary", pre);
    json_object_set_new(o, "final", fin);
    const char *note;
    if (!have)
        note = kk_pick(lang,
                       "The time of discovery is not recorded, so no dates can be given: set it with "
                       "'kaketsuke case set DIR discovered_at=YYYY-MM-DDThh:mm'.",
                       "発覚日時が記録されていないため、期限の日付を計算できません。"
                       "「kaketsuke case set DIR discovered_at=YYYY-MM-DDThh:mm」で設定してください。");
    else if (!strcmp(pd, "unknown"))
        note = kk_pick(lang,
                       "It is not yet known whether personal data is affected: the deadlines are shown as if it "
                       "were. No report is needed once it is confirmed that none is affected.",
                       "個人データが含まれるかどうかは、まだ分かっていません。含まれるものとして期限を示しています。"
                       "含まれないと確認できた場合、報告は不要です。");
    else
        note = kk_pick(lang,
                       "Personal data may be affected: when this is a reportable breach, report it to the "
                       "Personal Information Protection Commission and notify the people concerned.",
                       "個人データが含まれるおそれがあります。報告の対象となる事態であれば、個人情報保護委員会への"
                       "報告と、本人への通知が必要です。");
    kk_jset_str(o, "note", note);
    *out = o;
    return KK_OK;
}
