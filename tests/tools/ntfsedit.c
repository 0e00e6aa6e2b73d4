/*
 * ntfsedit - tiny NTFS image editor for building test images without a mount.
 *
 *   ntfsedit IMG mkdir /a/b            create directories (parents too)
 *   ntfsedit IMG put /a/b/file LOCAL   create or overwrite a file's unnamed $DATA
 *                                      (missing parent directories are made)
 *   ntfsedit IMG ads /a/file STREAM LOCAL
 *                                      write a named $DATA (alternate data stream)
 *   ntfsedit IMG rm /a/file            delete a file (or an empty directory)
 *   ntfsedit IMG batch SCRIPT          run many commands in one mount; SCRIPT
 *                                      ("-" = stdin) holds one command per line,
 *                                      fields separated by TABs, e.g.
 *                                      "put<TAB>/a/file<TAB>local.txt"
 *
 * IMG is an NTFS file-system image (not a partitioned disk). Paths inside the
 * image are '/'-separated and UTF-8. Test helper only: not part of kaketsuke.
 */
#define _GNU_SOURCE
#define HAVE_STDINT_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_ENDIAN_H 1
#define HAVE_BYTESWAP_H 1
#define HAVE_STDIO_H 1
#define HAVE_STDLIB_H 1
#define HAVE_STRING_H 1
#define HAVE_ERRNO_H 1
#define HAVE_SYS_STAT_H 1

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/logging.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

#define MAX_LINE 8192

static const char *prog = "ntfsedit";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s IMG mkdir PATH\n"
		"       %s IMG put PATH LOCALFILE\n"
		"       %s IMG ads PATH STREAM LOCALFILE\n"
		"       %s IMG rm PATH\n"
		"       %s IMG batch SCRIPT|-\n",
		prog, prog, prog, prog, prog);
}

/* Read a whole local file into memory. */
static int slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", prog, path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = realloc(b, ncap);
			if (!nb) {
				free(b);
				fclose(f);
				fprintf(stderr, "%s: out of memory\n", prog);
				return -1;
			}
			b = nb;
			cap = ncap;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				fprintf(stderr, "%s: cannot read '%s'\n", prog, path);
				free(b);
				fclose(f);
				return -1;
			}
			break;
		}
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

/* Split "/a/b/c" into a freshly allocated parent ("/a/b") and a pointer to
 * the last component inside *parent_out's twin copy. Returns 0 on success. */
static int split_path(const char *path, char **parent_out, char **name_out)
{
	if (path[0] != '/' || path[1] == '\0') {
		fprintf(stderr, "%s: bad path '%s' (must be absolute, not /)\n", prog, path);
		return -1;
	}
	char *p = strdup(path);
	if (!p)
		return -1;
	size_t l = strlen(p);
	while (l > 1 && p[l - 1] == '/')
		p[--l] = '\0';
	char *slash = strrchr(p, '/');
	char *name = strdup(slash + 1);
	if (!name) {
		free(p);
		return -1;
	}
	if (slash == p)
		p[1] = '\0';
	else
		*slash = '\0';
	*parent_out = p;
	*name_out = name;
	return 0;
}

static ntfs_inode *open_path(ntfs_volume *vol, const char *path)
{
	return ntfs_pathname_to_inode(vol, NULL, path);
}

/* Create NAME (type S_IFREG or S_IFDIR) under the directory PARENT. */
static ntfs_inode *create_in(ntfs_volume *vol, const char *parent, const char *name,
			     mode_t type)
{
	ntfschar *uname = NULL;
	int ulen = ntfs_mbstoucs(name, &uname);
	if (ulen <= 0 || ulen > 255) {
		fprintf(stderr, "%s: bad name '%s'\n", prog, name);
		free(uname);
		return NULL;
	}
	ntfs_inode *dir = open_path(vol, parent);
	if (!dir) {
		fprintf(stderr, "%s: no directory '%s': %s\n", prog, parent, strerror(errno));
		free(uname);
		return NULL;
	}
	ntfs_inode *ni = ntfs_create(dir, const_cpu_to_le32(0), uname, (u8)ulen, type);
	if (!ni)
		fprintf(stderr, "%s: cannot create '%s/%s': %s\n", prog, parent, name,
			strerror(errno));
	ntfs_inode_close(dir);
	free(uname);
	return ni;
}

static int cmd_mkdir(ntfs_volume *vol, const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	int rc = 0;
	/* walk every prefix and create what is missing */
	for (char *p = copy + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char save = *p;
			*p = '\0';
			if (p > copy + 1) {
				ntfs_inode *ni = open_path(vol, copy);
				if (ni) {
					ntfs_inode_close(ni);
				} else {
					char *parent, *name;
					if (split_path(copy, &parent, &name)) {
						rc = -1;
						*p = save;
						break;
					}
					ni = create_in(vol, parent, name, S_IFDIR);
					free(parent);
					free(name);
					if (!ni) {
						rc = -1;
						*p = save;
						break;
					}
					ntfs_inode_close(ni);
				}
			}
			*p = save;
			if (save == '\0')
				break;
		}
	}
	free(copy);
	return rc;
}

/* Write BUF to the $DATA attribute named SNAME (NULL = unnamed) of NI,
 * replacing what was there. */
static int write_data(ntfs_inode *ni, const char *sname, const char *buf, size_t len)
{
	ntfschar *uname = AT_UNNAMED;
	int ulen = 0;
	int rc = -1;

	if (sname) {
		uname = NULL;
		ulen = ntfs_mbstoucs(sname, &uname);
		if (ulen <= 0) {
			fprintf(stderr, "%s: bad stream name '%s'\n", prog, sname);
			free(uname);
			return -1;
		}
	}
	ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, uname, (u32)ulen);
	if (!na) {
		if (ntfs_attr_add(ni, AT_DATA, uname, (u8)ulen, NULL, 0)) {
			fprintf(stderr, "%s: cannot add $DATA: %s\n", prog, strerror(errno));
			goto out;
		}
		na = ntfs_attr_open(ni, AT_DATA, uname, (u32)ulen);
		if (!na) {
			fprintf(stderr, "%s: cannot open $DATA: %s\n", prog, strerror(errno));
			goto out;
		}
	}
	if (ntfs_attr_truncate(na, 0)) {
		fprintf(stderr, "%s: cannot truncate: %s\n", prog, strerror(errno));
		ntfs_attr_close(na);
		goto out;
	}
	size_t done = 0;
	while (done < len) {
		s64 w = ntfs_attr_pwrite(na, (s64)done, (s64)(len - done), buf + done);
		if (w <= 0) {
			fprintf(stderr, "%s: write failed: %s\n", prog, strerror(errno));
			ntfs_attr_close(na);
			goto out;
		}
		done += (size_t)w;
	}
	ntfs_attr_close(na);
	rc = 0;
out:
	/* ntfs_attr_open keeps its own copy of the name for named streams */
	if (sname)
		free(uname);
	return rc;
}

static int cmd_put(ntfs_volume *vol, const char *path, const char *local)
{
	char *buf = NULL;
	size_t len = 0;
	if (slurp(local, &buf, &len))
		return -1;
	ntfs_inode *ni = open_path(vol, path);
	if (!ni) {
		char *parent, *name;
		if (split_path(path, &parent, &name)) {
			free(buf);
			return -1;
		}
		/* like mkdir -p for the parent */
		if (strcmp(parent, "/") && cmd_mkdir(vol, parent)) {
			free(parent);
			free(name);
			free(buf);
			return -1;
		}
		ni = create_in(vol, parent, name, S_IFREG);
		free(parent);
		free(name);
		if (!ni) {
			free(buf);
			return -1;
		}
	}
	int rc = write_data(ni, NULL, buf, len);
	if (ntfs_inode_close(ni))
		rc = -1;
	free(buf);
	return rc;
}

static int cmd_ads(ntfs_volume *vol, const char *path, const char *stream, const char *local)
{
	char *buf = NULL;
	size_t len = 0;
	if (slurp(local, &buf, &len))
		return -1;
	ntfs_inode *ni = open_path(vol, path);
	if (!ni) {
		fprintf(stderr, "%s: no file '%s': %s\n", prog, path, strerror(errno));
		free(buf);
		return -1;
	}
	int rc = write_data(ni, stream, buf, len);
	if (ntfs_inode_close(ni))
		rc = -1;
	free(buf);
	return rc;
}

static int cmd_rm(ntfs_volume *vol, const char *path)
{
	char *parent, *name;
	if (split_path(path, &parent, &name))
		return -1;
	int rc = -1;
	ntfschar *uname = NULL;
	int ulen = ntfs_mbstoucs(name, &uname);
	ntfs_inode *ni = NULL, *dir = NULL;
	if (ulen <= 0) {
		fprintf(stderr, "%s: bad name '%s'\n", prog, name);
		goto out;
	}
	ni = open_path(vol, path);
	if (!ni) {
		fprintf(stderr, "%s: no file '%s': %s\n", prog, path, strerror(errno));
		goto out;
	}
	dir = open_path(vol, parent);
	if (!dir) {
		fprintf(stderr, "%s: no directory '%s': %s\n", prog, parent, strerror(errno));
		ntfs_inode_close(ni);
		goto out;
	}
	/* ntfs_delete closes both inodes, whatever happens */
	if (ntfs_delete(vol, path, ni, dir, uname, (u8)ulen))
		fprintf(stderr, "%s: cannot delete '%s': %s\n", prog, path, strerror(errno));
	else
		rc = 0;
out:
	free(uname);
	free(parent);
	free(name);
	return rc;
}

/* Run one command given as argv-style fields. */
static int run(ntfs_volume *vol, int argc, char **argv)
{
	if (argc < 1)
		return -1;
	if (!strcmp(argv[0], "mkdir") && argc == 2)
		return cmd_mkdir(vol, argv[1]);
	if (!strcmp(argv[0], "put") && argc == 3)
		return cmd_put(vol, argv[1], argv[2]);
	if (!strcmp(argv[0], "ads") && argc == 4)
		return cmd_ads(vol, argv[1], argv[2], argv[3]);
	if (!strcmp(argv[0], "rm") && argc == 2)
		return cmd_rm(vol, argv[1]);
	fprintf(stderr, "%s: unknown command or wrong arguments: '%s'\n", prog, argv[0]);
	return -1;
}

static int run_batch(ntfs_volume *vol, const char *script)
{
	FILE *f = strcmp(script, "-") ? fopen(script, "r") : stdin;
	if (!f) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", prog, script, strerror(errno));
		return -1;
	}
	char line[MAX_LINE];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t l = strlen(line);
		while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		if (l == 0 || line[0] == '#')
			continue;
		char *fields[8];
		int n = 0;
		char *save = NULL;
		for (char *t = strtok_r(line, "\t", &save); t && n < 8;
		     t = strtok_r(NULL, "\t", &save))
			fields[n++] = t;
		if (run(vol, n, fields)) {
			fprintf(stderr, "%s: %s:%d: command failed\n", prog, script, lineno);
			rc = -1;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		usage();
		return 2;
	}
	ntfs_log_set_handler(ntfs_log_handler_stderr);
	ntfs_volume *vol = ntfs_mount(argv[1], NTFS_MNT_EXCLUSIVE);
	if (!vol) {
		fprintf(stderr, "%s: cannot open NTFS image '%s': %s\n", prog, argv[1],
			strerror(errno));
		return 1;
	}
	int rc;
	if (!strcmp(argv[2], "batch") && argc == 4)
		rc = run_batch(vol, argv[3]);
	else
		rc = run(vol, argc - 2, argv + 2);
	if (ntfs_umount(vol, FALSE)) {
		fprintf(stderr, "%s: unmount failed: %s\n", prog, strerror(errno));
		rc = -1;
	}
	return rc ? 1 : 0;
}
