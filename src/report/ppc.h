/* ppc.h - reporting deadlines to the Personal Information Protection Commission
 * (個人情報保護委員会, PPC) when personal data may be affected (docs/assessment.md).
 *
 * The clock starts when the business learns of the breach: the case's discovered_at, taken
 * as a date in the case's time zone. The day of discovery is not counted (初日不算入);
 * weekends and holidays are.
 *   preliminary report (速報): "promptly"; the guidelines' rough range of 3 to 5 days is
 *     shown as discovery date + 3 .. + 5;
 *   final report (確報): discovery date + 60 days when the verdict is ransomware or
 *     compromised (possible unauthorised access, an act with an unlawful purpose),
 *     otherwise + 30 days.
 * It applies when personal_data is "yes" or "unknown" (unset counts as unknown).
 */
#ifndef KK_REPORT_PPC_H
#define KK_REPORT_PPC_H
#include <jansson.h>

/* "YYYY-MM-DD" plus days (may be negative) into out. KK_EINVAL when ymd is malformed. */
int kk_date_add(const char *ymd, int days, char out[11]);

/* The model's "ppc" object:
 *   {applies, personal_data, discovered_at, discovered_date, basis ("unauthorized_access" |
 *    "other"), preliminary {from, to, days_from: 3, days_to: 5, rule}, final {due, days, rule},
 *    note}
 * Dates are null when discovered_at is missing or malformed (note says so). */
int kk_ppc_compute(const char *personal_data, const char *discovered_at, const char *tz, const char *verdict,
                   const char *lang, json_t **out);

#endif
