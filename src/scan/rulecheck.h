/* rulecheck.h - lint a rule set (kaketsuke rules check) and signed offline rule packs
 * (kaketsuke rules pack / rules update). */
#ifndef KK_RULECHECK_H
#define KK_RULECHECK_H
#include <jansson.h>

/* Lint: compile errors, left-out files, slow-rule warnings (file:line), rules missing the
 * meta kaketsuke's signatures carry (category, family, score, description, description_ja,
 * reference, author, date) or with invalid values, and duplicate rule names.
 * *problems receives an array of {file?, rule?, problem, message}; *stats {files, rules}.
 * Returns KK_OK (problems may still be found), or an error when nothing can be compiled. */
int kk_rules_lint(const char *path, json_t **problems, json_t **stats);

/* Build a signed rule pack (zip) from a signatures-like directory holding rules/ and
 * optionally iocs/ and data/, signed with the Ed25519 key at key_path. */
int kk_rulepack_create(const char *src_dir, const char *version, const char *key_path,
                       const char *pass, const char *out_zip, int force);

/* Verify a pack against the trusted keys (the .pem files in sigdir/keys/) and install it into sigdir:
 * every member listed with its SHA-256, nothing else, names confined to rules/, iocs/,
 * data/; the rules must all compile. The previous set is kept in sigdir/.previous/ and
 * restored if anything fails. *installed receives the pack's pack.json. */
int kk_rulepack_install(const char *pack, const char *sigdir, json_t **installed);

#endif
