/* render.h - the report model (docs/formats/report.md) rendered for people and programs.
 *
 *   json_t *model = ...;                         // kk_report_model() (model.c)
 *   rc = kk_render(model, "html", "ja", "CASE/report/report.html");
 *   rc = kk_render(model, "pdf",  "ja", "CASE/report/report.pdf");
 *   rc = kk_render(model, "json", NULL, "CASE/report/report.json");
 *   rc = kk_render(model, "txt",  "ja", "-");    // "-" = stdout
 *
 * Formats: html (self-contained, inline CSS and SVG charts, no scripts, A4 print), pdf (A4,
 * cairo + pango, Japanese font embedded), json (the model, pretty), txt (plain text,
 * terminal-safe), csv (the evidence list; cells that start with = + - @ neutralised).
 * lang ("ja" | "en"; NULL = the model's "lang") chooses the labels; the texts the model
 * carries (verdict rule and reasons, steps, PPC rules) are in the language it was built
 * for, so build one model per language.
 * Every string taken from the model is cleaned (invalid UTF-8 shown as \xNN, control and
 * bidi-override characters shown as \xNN / \uNNNN) and escaped for its output; missing or
 * mistyped fields are left out, never fatal.
 * Outputs are written atomically (NAME.part, fsync, rename) and replace an existing file:
 * callers decide about --force before rendering.
 * Returns KK_OK or KK_E* with kk_err_msg(): KK_EINVAL (unknown format), KK_ENOENT (no
 * catalog for lang, see i18n.h), KK_EUNSUP (no Japanese-capable font for the PDF),
 * KK_EIO, KK_ENOMEM.
 */
#ifndef KK_RENDER_H
#define KK_RENDER_H
#include "i18n.h"

#include <jansson.h>
#include <stddef.h>

/* "html", "pdf", "json", "txt", "csv": the formats, NULL-terminated. */
extern const char *const kk_render_formats[];
/* Is format one of kk_render_formats? */
int kk_render_format_known(const char *format);

/* Render model as format into out_path ("-" = stdout). */
int kk_render(const json_t *model, const char *format, const char *lang, const char *out_path);

/* The same into memory (*data malloc'd, NUL-terminated for text formats; caller frees). */
int kk_render_mem(const json_t *model, const char *format, const char *lang, char **data,
                  size_t *len);

/* The one-page receipt for a sealed bundle, given to the client with the evidence:
 *   receipt = {bundle_name, bundle_size, bundle_sha256, signer_fingerprint, created_at,
 *              case_id, client, engineer, [engineer_org], [timezone]}
 * written as text to txt_path and as PDF to pdf_path (either may be NULL). */
int kk_render_receipt(const json_t *receipt, const char *lang, const char *txt_path,
                      const char *pdf_path);

/* The font family used for the PDF (fontconfig: a family covering Japanese), or NULL with
 * a message when the system has none (install fonts-noto-cjk or fonts-ipafont-gothic). */
const char *kk_render_pdf_font(void);

#endif
