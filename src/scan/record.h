/* record.h - pieces of the JSON Lines records (GUIDE §1) shared by the file scan
 * (engine.c) and the memory scan (src/memory/memscan.c). */
#ifndef KK_RECORD_H
#define KK_RECORD_H
#include <jansson.h>
#include <stddef.h>
#include <yara.h>

#include "../util/text.h" /* kk_hex */

/* {"type": type, "source": source} (evidence-safe strings). */
json_t *kk_rec_new(const char *type, const char *source);
/* A rule's meta as an object; a key repeated in the rule becomes an array. */
json_t *kk_rule_meta(const YR_RULE *rule);
/* The warning for a string that matched too often: {type, source, what:
 * "too_many_matches", rule, namespace, string} (the caller adds where, and the message). */
json_t *kk_rec_too_many(const char *source, const YR_STRING *s, const YR_RULE *rule);
/* A rule's tags as an array. */
json_t *kk_rule_tags(const YR_RULE *rule);

#endif
