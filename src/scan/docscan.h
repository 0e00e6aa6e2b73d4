/* docscan.h - damage assessment while scanning (scan --assess, triage): which files are
 * user documents, which of them look encrypted (high entropy where the header should be
 * a known one, or a known ransomware extension), which stayed intact.
 * Data files: signatures/data/document-types.txt, signatures/data/ransomware-extensions.txt. */
#ifndef KK_DOCSCAN_H
#define KK_DOCSCAN_H
#include <stddef.h>
#include <stdint.h>

typedef struct kk_doctypes kk_doctypes;

/* Load both tables from the data directory (signatures/data). */
int kk_doctypes_load(const char *datadir, kk_doctypes **out);
void kk_doctypes_free(kk_doctypes *d);

typedef struct kk_docclass {
    int document;          /* has a user-document extension (possibly under a ransomware one) */
    int intact;            /* a document whose header/entropy are what its type says */
    int encrypted;         /* looks encrypted */
    const char *reason;    /* "entropy", "extension", "both" */
    const char *family;    /* from a known extension, or "" */
    char extension[32];    /* the last extension */
    double entropy;        /* bits per byte over the sampled blocks (0..8) */
} kk_docclass;

/* Classify a file by its name and its first bytes (head: up to `n` bytes; sampling
 * happens on what is given). Thread-safe. */
void kk_doc_classify(const kk_doctypes *d, const char *name, const unsigned char *head, size_t n,
                     uint64_t size, kk_docclass *out);

/* Shannon entropy in bits per byte of up to three 4 KiB blocks (start, middle, end). */
double kk_entropy_sampled(const unsigned char *p, size_t n);

#endif
