/* playbook.h - recovery steps chosen from data files (docs/playbooks.md).
 *
 * The files signatures/playbooks/NAME.json hold the playbooks (format "kaketsuke-playbook"), and
 * references.json the links they cite (format "kaketsuke-playbook-refs"). A playbook
 * applies when its "when" conditions hold for the case's facts (verdict, categories and
 * families found, OS, collected artifacts, encrypted files, ransom notes, personal data);
 * each of its steps may add conditions of its own. The chosen steps of every playbook that
 * applies are merged (a step id appearing twice is kept once, the lower order wins) and
 * sorted by order; their texts, in the report language, have {placeholders} filled from the
 * model ({ransom_note_path}, {family}, {encrypted_extension}, {affected_volumes},
 * {paths:webshell}, ...; {name|fallback} gives the text used when the value is empty).
 */
#ifndef KK_REPORT_PLAYBOOK_H
#define KK_REPORT_PLAYBOOK_H
#include <jansson.h>
#include <stddef.h>

/* The shipped playbooks: $KAKETSUKE_SIGNATURES/playbooks, <binary dir>/../share/kaketsuke/
 * signatures/playbooks, <binary dir>/../signatures/playbooks, <binary dir>/../../signatures/
 * playbooks (first that exists; caller frees; NULL when none). */
char *kk_playbooks_dir(void);

/* The steps for a model (verdict, findings, scope, case, ppc filled) and its facts
 * (assess.h, model.c). *steps: [{id, order, phase, phase_label, title, text, dont, refs
 * [{title, url}], playbook}] (caller decrefs). Problems with single files (unreadable,
 * malformed) are appended to errors as text and the file is left out; KK_ENOENT when dir
 * cannot be read at all. */
int kk_playbook_steps(const char *dir, const json_t *model, const json_t *facts, const char *lang, json_t **steps,
                      json_t *errors);

/* Check every file of dir (format, conditions, placeholders, references, both languages).
 * Problems are appended to errors ("file: message"); *playbooks / *steps count what loaded.
 * KK_OK when dir could be read (look at errors), KK_ENOENT otherwise. */
int kk_playbook_check(const char *dir, json_t *errors, size_t *playbooks, size_t *steps);

#endif
