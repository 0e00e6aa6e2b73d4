/* rulecheck.c - see rulecheck.h. */
#include "rulecheck.h"
#include "rules.h"
#include "../evidence/evutil.h"
#include "../evidence/sign.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"
#include "../util/outfile.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

/* ---- lint -------------------------------------------------------------------------- */

static const char *const required_meta[] = {"category", "family", "score", "description",
                                            "description_ja", "reference", "author", "date"};
static const char *const categories[] = {"ransomware", "ransom-note", "webshell", "rat",
                                         "remote-admin-tool", "hacktool", "credential-theft",
                                         "miner", "loader", "exploit", "persistence",
                                         "suspicious", "test"};

static void add_problem(json_t *arr, const char *file, const char *rule, const char *problem,
                        const char *msg)
{
    json_t *p = json_object();
    if (file)
        kk_jset_str(p, "file", file);
    if (rule)
        kk_jset_str(p, "rule", rule);
    kk_jset_str(p, "problem", problem);
    kk_jset_str(p, "message", msg);
    json_array_append_new(arr, p);
}

static void lint_warn(void *ctx, const char *what, const char *message)
{
    (void)what;
    json_t *arr = ctx;
    add_problem(arr, NULL, NULL, strstr(message, "left out") ? "compile" : "warning", message);
}

int kk_rules_lint(const char *path, json_t **problems, json_t **stats)
{
    json_t *arr = json_array();
    kk_rules *r = NULL;
    const char *paths[] = {path};
    int rc = kk_rules_load(paths, 1, lint_warn, arr, &r);
    if (rc != KK_OK) {
        json_decref(arr);
        return rc;
    }
    YR_RULE *rule;
    json_t *seen = json_object();
    yr_rules_foreach(r->yr, rule)
    {
        const char *ns = rule->ns->name;
        /* duplicate names across files */
        json_t *first = json_object_get(seen, rule->identifier);
        if (first) {
            char m[600];
            snprintf(m, sizeof m, "rule %s is defined in %s and in %s", rule->identifier,
                     json_string_value(first), ns);
            add_problem(arr, ns, rule->identifier, "duplicate", m);
        } else {
            json_object_set_new(seen, rule->identifier, json_string(ns));
        }
        if (RULE_IS_PRIVATE(rule))
            continue; /* helpers, never reported */
        for (size_t i = 0; i < sizeof required_meta / sizeof *required_meta; i++) {
            const YR_META *meta, *found = NULL;
            yr_rule_metas_foreach(rule, meta) if (!strcmp(meta->identifier, required_meta[i])) found = meta;
            char m[600];
            if (!found) {
                snprintf(m, sizeof m, "%s:%s: missing meta '%s'", ns, rule->identifier, required_meta[i]);
                add_problem(arr, ns, rule->identifier, "meta", m);
                continue;
            }
            if (!strcmp(required_meta[i], "score")) {
                if (found->type != META_TYPE_INTEGER || found->integer < 0 || found->integer > 100) {
                    snprintf(m, sizeof m, "%s:%s: meta 'score' must be an integer from 0 to 100",
                             ns, rule->identifier);
                    add_problem(arr, ns, rule->identifier, "meta", m);
                }
            } else if (found->type != META_TYPE_STRING || !found->string || !*found->string) {
                snprintf(m, sizeof m, "%s:%s: meta '%s' must be a non-empty string", ns,
                         rule->identifier, required_meta[i]);
                add_problem(arr, ns, rule->identifier, "meta", m);
            } else if (!strcmp(required_meta[i], "category")) {
                int ok = 0;
                for (size_t k = 0; k < sizeof categories / sizeof *categories; k++)
                    ok |= !strcmp(found->string, categories[k]);
                if (!ok) {
                    snprintf(m, sizeof m, "%s:%s: unknown category '%s'", ns, rule->identifier,
                             found->string);
                    add_problem(arr, ns, rule->identifier, "meta", m);
                }
            }
        }
    }
    json_decref(seen);
    *stats = json_pack("{s:i,s:i,s:i}", "files", r->nfiles, "rules", r->nrules, "left_out", r->nfailed);
    kk_rules_free(r);
    *problems = arr;
    return KK_OK;
}

/* ---- packs ------------------------------------------------------------------------- */

static const char *const pack_dirs[] = {"rules", "iocs", "data"};

static int read_file(const char *path, char **data, size_t *len, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return kk_err_set(KK_EIO, "cannot read '%s': %s", path, strerror(errno));
    kk_buf b;
    kk_buf_init(&b, cap);
    char tmp[65536];
    size_t n;
    int rc = KK_OK;
    while (rc == KK_OK && (n = fread(tmp, 1, sizeof tmp, f)) > 0)
        rc = kk_buf_add(&b, tmp, n);
    fclose(f);
    if (rc != KK_OK) {
        kk_buf_free(&b);
        return kk_err_set(rc, "'%s' is larger than %zu bytes", path, cap);
    }
    *len = b.len;
    *data = kk_buf_steal(&b);
    return KK_OK;
}

/* Add every regular file below dir/rel to the zip and to the file list. */
static int pack_tree(zip_t *z, json_t *files, const char *root, const char *rel, int depth)
{
    if (depth > 16)
        return kk_err_set(KK_EINVAL, "'%s/%s' is nested too deeply", root, rel);
    char *dir = kk_asprintf("%s/%s", root, rel);
    struct dirent **list = NULL;
    int n = dir ? scandir(dir, &list, NULL, alphasort) : -1;
    free(dir);
    if (n < 0)
        return KK_OK; /* optional folder */
    int rc = KK_OK;
    for (int i = 0; i < n; i++) {
        const char *nm = list[i]->d_name;
        if (rc == KK_OK && nm[0] != '.') {
            char *r = kk_asprintf("%s/%s", rel, nm);
            char *full = kk_asprintf("%s/%s", root, r);
            struct stat st;
            if (r && full && lstat(full, &st) == 0) {
                if (S_ISDIR(st.st_mode)) {
                    rc = pack_tree(z, files, root, r, depth + 1);
                } else if (S_ISREG(st.st_mode)) {
                    char *data;
                    size_t len;
                    rc = read_file(full, &data, &len, 256u << 20);
                    if (rc == KK_OK) {
                        char h[65];
                        kk_sha256_hex(data, len, h);
                        json_array_append_new(files, json_pack("{s:s,s:I,s:s}", "name", r, "size",
                                                               (json_int_t)len, "sha256", h));
                        zip_source_t *zs = zip_source_buffer(z, data, len, 1);
                        if (!zs || zip_file_add(z, r, zs, ZIP_FL_ENC_UTF_8) < 0) {
                            zip_source_free(zs);
                            rc = kk_err_set(KK_EIO, "cannot add '%s' to the pack: %s", r, zip_strerror(z));
                        }
                    }
                }
            }
            free(r);
            free(full);
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

int kk_rulepack_create(const char *src_dir, const char *version, const char *key_path,
                       const char *pass, const char *out_zip, int force)
{
    char *rules_dir = kk_asprintf("%s/rules", src_dir);
    struct stat st;
    if (!rules_dir || stat(rules_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(rules_dir);
        return kk_err_set(KK_EINVAL, "'%s' holds no rules/ folder", src_dir);
    }
    /* the rules must compile before they are signed */
    const char *paths[] = {rules_dir};
    kk_rules *r = NULL;
    int rc = kk_rules_load(paths, 1, NULL, NULL, &r);
    free(rules_dir);
    if (rc != KK_OK)
        return rc;
    int left = (int)r->nfailed;
    kk_rules_free(r);
    if (left)
        return kk_err_set(KK_ERULES, "%d rule file(s) in '%s' do not compile: fix them before packing "
                          "(kaketsuke rules check)", left, src_dir);
    if (!force && access(out_zip, F_OK) == 0)
        return kk_err_set(KK_EEXIST, "output '%s' already exists (use --force to replace it)", out_zip);
    kk_key *key = NULL;
    KK_TRY(kk_key_load(key_path, pass, &key));
    char *tmp = kk_asprintf("%s.part", out_zip);
    unlink(tmp);
    int zerr = 0;
    zip_t *z = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z) {
        kk_key_free(key);
        rc = kk_err_set(KK_EIO, "cannot create '%s' (libzip error %d)", tmp, zerr);
        free(tmp);
        return rc;
    }
    json_t *files = json_array();
    for (size_t i = 0; i < 3 && rc == KK_OK; i++)
        rc = pack_tree(z, files, src_dir, pack_dirs[i], 0);
    char *manifest = NULL;
    if (rc == KK_OK) {
        char fpr[65], now[32];
        kk_key_fingerprint(key, fpr);
        time_t t = time(NULL);
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:o}", "format", "kaketsuke-rules-pack", "version",
                              version, "created", now, "signer", fpr, "files", files);
        files = NULL;
        manifest = json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        json_decref(m);
        unsigned char sig[64];
        if (!manifest || kk_key_sign(key, manifest, strlen(manifest), sig) != KK_OK) {
            rc = kk_err_set(KK_EINTERNAL, "cannot sign the pack manifest");
        } else {
            unsigned char *sigcopy = malloc(64);
            memcpy(sigcopy, sig, 64);
            zip_source_t *a = zip_source_buffer(z, manifest, strlen(manifest), 0);
            zip_source_t *b = zip_source_buffer(z, sigcopy, 64, 1);
            if (!a || !b || zip_file_add(z, "pack.json", a, 0) < 0 || zip_file_add(z, "pack.json.sig", b, 0) < 0)
                rc = kk_err_set(KK_EIO, "cannot write the pack: %s", zip_strerror(z));
        }
    }
    json_decref(files);
    if (rc == KK_OK && zip_close(z) != 0) {
        rc = kk_err_set(KK_EIO, "cannot write '%s': %s", tmp, zip_strerror(z));
        zip_discard(z);
    } else if (rc != KK_OK) {
        zip_discard(z);
    }
    free(manifest);
    kk_key_free(key);
    if (rc == KK_OK && rename(tmp, out_zip) != 0)
        rc = kk_err_set(KK_EIO, "cannot rename '%s': %s", tmp, strerror(errno));
    if (rc != KK_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}

static int read_member(zip_t *z, const char *name, char **data, size_t *len, size_t cap)
{
    zip_stat_t zs;
    if (zip_stat(z, name, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE))
        return kk_err_set(KK_ENOENT, "the pack has no '%s'", name);
    if (zs.size > cap)
        return kk_err_set(KK_EFORMAT, "'%s' in the pack is too large (%llu bytes)", name,
                          (unsigned long long)zs.size);
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f)
        return kk_err_set(KK_EFORMAT, "cannot read '%s' in the pack: %s", name, zip_strerror(z));
    char *b = malloc(zs.size + 1);
    zip_int64_t n = b ? zip_fread(f, b, zs.size) : -1;
    zip_fclose(f);
    if (n < 0 || (zip_uint64_t)n != zs.size) {
        free(b);
        return kk_err_set(KK_EFORMAT, "cannot read '%s' in the pack (corrupt zip)", name);
    }
    b[zs.size] = '\0';
    *data = b;
    *len = zs.size;
    return KK_OK;
}

static int safe_member_name(const char *n)
{
    if (!*n || n[0] == '/' || strstr(n, "..") || strchr(n, '\\') || strlen(n) > 400)
        return 0;
    for (const unsigned char *p = (const unsigned char *)n; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    for (size_t i = 0; i < 3; i++) {
        size_t l = strlen(pack_dirs[i]);
        if (!strncmp(n, pack_dirs[i], l) && n[l] == '/' && n[l + 1])
            return 1;
    }
    return 0;
}

/* Is the signature valid for one of the .pem keys in sigdir/keys/? */
static int check_trusted(const char *sigdir, const char *msg, size_t n, const unsigned char *sig,
                         size_t siglen, char fpr[65])
{
    char *kd = kk_asprintf("%s/keys", sigdir);
    struct dirent **list = NULL;
    int nk = kd ? scandir(kd, &list, NULL, alphasort) : -1;
    int found = 0, keys = 0;
    for (int i = 0; i < nk; i++) {
        const char *nm = list[i]->d_name;
        size_t l = strlen(nm);
        if (!found && l > 4 && !strcmp(nm + l - 4, ".pem")) {
            char *p = kk_asprintf("%s/%s", kd, nm);
            char *pem;
            size_t pl;
            if (p && read_file(p, &pem, &pl, 1 << 16) == KK_OK) {
                keys++;
                found = kk_sig_verify(pem, pl, msg, n, sig, siglen, fpr) == KK_OK;
                free(pem);
            }
            free(p);
        }
        free(list[i]);
    }
    free(list);
    int rc = KK_OK;
    if (!keys)
        rc = kk_err_set(KK_ENOENT, "no trusted key in '%s' to check it against", kd ? kd : "keys");
    else if (!found)
        rc = kk_err_set(KK_EINVAL, "its signature matches none of the %d trusted key(s) in '%s' "
                        "(tampered, or signed by an unknown key)", keys, kd);
    free(kd);
    return rc;
}

static void first_warning(void *ctx, const char *what, const char *message)
{
    (void)what;
    char *first = ctx;
    if (!first[0] && strstr(message, "left out"))
        snprintf(first, 600, "%s", message);
}

/* The folders a member "rules/web/x.yar" needs below root. */
static int make_parent(const char *root, const char *member)
{
    char *d = kk_strdup(member);
    if (!d)
        return kk_err_set(KK_ENOMEM, "out of memory");
    char *slash = strrchr(d, '/');
    int rc = KK_OK;
    if (slash) {
        *slash = '\0';
        rc = kk_mkdirs(root, d);
    }
    free(d);
    return rc;
}

static void rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *c = kk_asprintf("%s/%s", path, e->d_name);
            if (c)
                rm_tree(c);
            free(c);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

int kk_rulepack_install(const char *pack, const char *sigdir, json_t **installed)
{
    int zerr = 0, rc = KK_OK;
    zip_t *z = zip_open(pack, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!z)
        return kk_err_set(KK_EFORMAT, "cannot open rule pack '%s': not a zip file or corrupt "
                          "(libzip error %d)", pack, zerr);
    char *manifest = NULL, *sig = NULL;
    size_t mlen = 0, slen = 0;
    json_t *m = NULL;
    char *staging = kk_asprintf("%s/.staging", sigdir), *prev = kk_asprintf("%s/.previous", sigdir);
    if ((rc = read_member(z, "pack.json", &manifest, &mlen, 1 << 22)) != KK_OK ||
        (rc = read_member(z, "pack.json.sig", &sig, &slen, 1024)) != KK_OK) {
        rc = kk_err_set(KK_EINVAL, "rule pack '%s' is not signed: %s", pack, kk_err_msg());
        goto out;
    }
    char fpr[65] = "";
    if ((rc = check_trusted(sigdir, manifest, mlen, (unsigned char *)sig, slen, fpr)) != KK_OK) {
        rc = kk_err_set(rc, "refusing rule pack '%s': %s", pack, kk_err_msg());
        goto out;
    }
    json_error_t je;
    m = json_loadb(manifest, mlen, 0, &je);
    json_t *files = m ? json_object_get(m, "files") : NULL;
    if (!m || !json_is_array(files) || strcmp(json_string_value(json_object_get(m, "format")) ?: "",
                                              "kaketsuke-rules-pack")) {
        rc = kk_err_set(KK_EFORMAT, "rule pack '%s': pack.json is not a kaketsuke rule pack manifest", pack);
        goto out;
    }
    /* every zip member must be listed, and every listed file present with its hash */
    zip_int64_t nz = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < nz && rc == KK_OK; i++) {
        const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);
        if (!nm || !strcmp(nm, "pack.json") || !strcmp(nm, "pack.json.sig"))
            continue;
        if (nm[strlen(nm) - 1] == '/')
            continue;
        int listed = 0;
        size_t k;
        json_t *f;
        json_array_foreach(files, k, f) listed |= !strcmp(json_string_value(json_object_get(f, "name")) ?: "", nm);
        if (!listed)
            rc = kk_err_set(KK_EINVAL, "refusing rule pack '%s': member '%s' is not in the signed "
                            "manifest", pack, nm);
    }
    rm_tree(staging);
    if (rc == KK_OK && mkdir(staging, 0755) != 0)
        rc = kk_err_set(KK_EIO, "cannot create '%s': %s", staging, strerror(errno));
    size_t k;
    json_t *f;
    json_array_foreach(files, k, f)
    {
        if (rc != KK_OK)
            break;
        const char *nm = json_string_value(json_object_get(f, "name"));
        const char *want = json_string_value(json_object_get(f, "sha256"));
        if (!nm || !want || !safe_member_name(nm)) {
            rc = kk_err_set(KK_EINVAL, "refusing rule pack '%s': unsafe or malformed member name '%s'",
                            pack, nm ? nm : "?");
            break;
        }
        char *data;
        size_t len;
        char h[65];
        if ((rc = read_member(z, nm, &data, &len, 256u << 20)) != KK_OK) {
            rc = kk_err_set(rc, "refusing rule pack '%s': %s", pack, kk_err_msg());
            break;
        }
        kk_sha256_hex(data, len, h);
        if (strcmp(h, want)) {
            rc = kk_err_set(KK_EINVAL, "refusing rule pack '%s': '%s' was altered (its SHA-256 "
                            "differs from the signed manifest)", pack, nm);
        } else if ((rc = make_parent(staging, nm)) == KK_OK) {
            char *dst = kk_asprintf("%s/%s", staging, nm);
            rc = dst ? kk_write_file_atomic(dst, data, len, 1) : KK_ENOMEM;
            free(dst);
        }
        free(data);
    }
    if (rc == KK_OK) {
        char *rd = kk_asprintf("%s/rules", staging);
        const char *paths[] = {rd};
        kk_rules *r = NULL;
        char first[600] = "";
        rc = kk_rules_load(paths, 1, first_warning, first, &r);
        if ((rc == KK_OK && r->nfailed) || (rc == KK_ERULES && first[0]))
            rc = kk_err_set(KK_ERULES, "rule files of the pack do not compile (%s)", first);
        if (rc != KK_OK)
            rc = kk_err_set(rc, "refusing rule pack '%s': %s", pack, kk_err_msg());
        kk_rules_free(r);
        free(rd);
    }
    if (rc == KK_OK) {
        /* swap: current -> .previous, staging -> current; undo on failure */
        rm_tree(prev);
        if (mkdir(prev, 0755) != 0)
            rc = kk_err_set(KK_EIO, "cannot create '%s': %s", prev, strerror(errno));
        int moved[3] = {0, 0, 0}, placed[3] = {0, 0, 0};
        for (size_t i = 0; i < 3 && rc == KK_OK; i++) {
            char *src = kk_asprintf("%s/%s", staging, pack_dirs[i]);
            char *cur = kk_asprintf("%s/%s", sigdir, pack_dirs[i]);
            char *old = kk_asprintf("%s/%s", prev, pack_dirs[i]);
            struct stat st;
            if (stat(src, &st) == 0) {
                if (stat(cur, &st) == 0) {
                    if (rename(cur, old) != 0)
                        rc = kk_err_set(KK_EIO, "cannot move '%s' aside: %s", cur, strerror(errno));
                    else
                        moved[i] = 1;
                }
                if (rc == KK_OK) {
                    if (rename(src, cur) != 0)
                        rc = kk_err_set(KK_EIO, "cannot install '%s': %s", cur, strerror(errno));
                    else
                        placed[i] = 1;
                }
            }
            free(src);
            free(cur);
            free(old);
        }
        if (rc != KK_OK) {
            for (size_t i = 0; i < 3; i++) {
                char *cur = kk_asprintf("%s/%s", sigdir, pack_dirs[i]);
                char *old = kk_asprintf("%s/%s", prev, pack_dirs[i]);
                if (placed[i])
                    rm_tree(cur);
                if (moved[i])
                    rename(old, cur);
                free(cur);
                free(old);
            }
        } else {
            char *inst = kk_asprintf("%s/pack.json", sigdir);
            kk_write_file_atomic(inst, manifest, mlen, 1);
            free(inst);
        }
    }
out:
    if (staging)
        rm_tree(staging);
    zip_discard(z);
    free(staging);
    free(prev);
    free(manifest);
    free(sig);
    if (rc == KK_OK)
        *installed = m;
    else
        json_decref(m);
    return rc;
}
