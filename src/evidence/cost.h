/* cost.h - cost lines of a case (`kaketsuke case cost DIR CATEGORY AMOUNT [HOURS] [NOTE]`).
 *
 * Stored in case.json as costs[]:
 *   {"category": "dispatch", "amount": 55000, "hours": 3.5, "note": "...",
 *    "recorded_at": "2024-05-01T18:02:11+09:00"}
 * amount: whole yen (JPY), 0 .. 10^12; hours: optional, 0 .. 10000 with at most two
 * decimals; note: optional text (UTF-8, no control characters, at most 1 KiB).
 * The report model (src/report/model.c) lists and totals them.
 */
#ifndef KK_COST_H
#define KK_COST_H
#include "case.h"

#include <jansson.h>
#include <stdint.h>

/* Categories, NULL-terminated: dispatch (駆付け), investigation (調査), recovery (復旧作業),
 * travel (交通費), equipment (機材・媒体), other (その他). */
extern const char *const kk_cost_categories[];

/* The category key for a name (English key or its Japanese label, case-insensitive), or
 * NULL. */
const char *kk_cost_category(const char *name);

/* Parse an amount of yen: digits, optionally grouped by commas ("120,000"), an optional
 * leading "¥" or trailing "円". KK_EINVAL with a message when malformed. */
int kk_cost_parse_amount(const char *s, long long *yen);
/* Parse hours: "3", "2.5", "0.25" (at most two decimals). KK_EINVAL when malformed. */
int kk_cost_parse_hours(const char *s, double *hours);

/* Validate and append one line to case.json (under the folder lock, atomically).
 * hours < 0 means none; note may be NULL. *rec (optional, caller decrefs) is the stored
 * line. */
int kk_case_add_cost(kk_case *c, const char *category, const char *amount, const char *hours, const char *note,
                     json_t **rec);

#endif
