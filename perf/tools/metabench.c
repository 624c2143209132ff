// metabench: the metadata workload of perf/run, one phase per invocation so that the runner can
// read the FUSE daemon's CPU time between phases.
//
//   metabench create ROOT FILES DIRS        mkdir ROOT and DIRS subdirectories, then create FILES
//                                           files of kFileBytes each, spread evenly over them
//   metabench stat   ROOT FILES DIRS PASSES fstatat() every file PASSES times, checking each size
//   metabench unlink ROOT FILES DIRS        unlink every file, then rmdir the subdirectories and
//   ROOT
//
// Each phase prints one JSON object with its wall-clock seconds on stdout. Calls are relative to
// an open fd of each subdirectory (as ls, find and tar do), so a phase measures one lookup per
// file, not a walk from ROOT. It is written in C rather than a script so that the native
// baseline measures the filesystem, not an interpreter.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { kFileBytes = 256, kNameMax = 32 };

struct tree {
    const char* root;
    long files;
    long dirs;
};

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char* what, const char* name) {
    fprintf(stderr, "metabench: %s %s: %s\n", what, name, strerror(errno));
    return -1;
}

static void dir_name(char* out, long dir) {
    snprintf(out, kNameMax, "m%03ld", dir);
}
static void file_name(char* out, long file) {
    snprintf(out, kNameMax, "f%05ld", file);
}

// File i lives in directory i % dirs, so every directory holds files/dirs files (rounded).
static long dir_of(const struct tree* t, long file) {
    return file % t->dirs;
}

// Opens every subdirectory of ROOT once; the caller closes them with close_dirs().
static int open_dirs(const struct tree* t, int root_fd, int* fds) {
    char name[kNameMax];
    for (long d = 0; d < t->dirs; ++d) {
        dir_name(name, d);
        fds[d] = openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fds[d] < 0) {
            while (d-- > 0)
                close(fds[d]);
            return fail("open", name);
        }
    }
    return 0;
}

static void close_dirs(const struct tree* t, int* fds) {
    for (long d = 0; d < t->dirs; ++d)
        close(fds[d]);
}

static int create_files(const struct tree* t, int root_fd, int* fds) {
    char name[kNameMax];
    char payload[kFileBytes];
    memset(payload, 'x', sizeof payload);
    for (long d = 0; d < t->dirs; ++d) {
        dir_name(name, d);
        if (mkdirat(root_fd, name, 0755) != 0) return fail("mkdir", name);
    }
    if (open_dirs(t, root_fd, fds) != 0) return -1;
    for (long f = 0; f < t->files; ++f) {
        file_name(name, f);
        const int fd =
            openat(fds[dir_of(t, f)], name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) return fail("create", name);
        const ssize_t written = write(fd, payload, sizeof payload);
        if (close(fd) != 0 || written != (ssize_t)sizeof payload) return fail("write", name);
    }
    return 0;
}

static int stat_files(const struct tree* t, int root_fd, int* fds, long passes) {
    char name[kNameMax];
    if (open_dirs(t, root_fd, fds) != 0) return -1;
    for (long p = 0; p < passes; ++p) {
        for (long f = 0; f < t->files; ++f) {
            struct stat st;
            file_name(name, f);
            if (fstatat(fds[dir_of(t, f)], name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                return fail("stat", name);
            if (st.st_size != kFileBytes) {
                fprintf(stderr, "metabench: %s has %lld bytes, expected %d\n", name,
                        (long long)st.st_size, kFileBytes);
                return -1;
            }
        }
    }
    return 0;
}

static int unlink_files(const struct tree* t, int root_fd, int* fds) {
    char name[kNameMax];
    if (open_dirs(t, root_fd, fds) != 0) return -1;
    for (long f = 0; f < t->files; ++f) {
        file_name(name, f);
        if (unlinkat(fds[dir_of(t, f)], name, 0) != 0) return fail("unlink", name);
    }
    for (long d = 0; d < t->dirs; ++d) {
        dir_name(name, d);
        if (unlinkat(root_fd, name, AT_REMOVEDIR) != 0) return fail("rmdir", name);
    }
    return 0;
}

static long parse_count(const char* text, const char* what) {
    char* end = NULL;
    const long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value <= 0 || value > 10000000) {
        fprintf(stderr, "metabench: bad %s '%s'\n", what, text);
        exit(2);
    }
    return value;
}

static int usage(void) {
    fputs("usage: metabench create|stat|unlink ROOT FILES DIRS [PASSES]\n", stderr);
    return 2;
}

// Runs one phase; create makes ROOT first and unlink removes it last, so each phase owns ROOT's
// whole life cycle and the runner only passes paths.
static int run_phase(const char* phase, const struct tree* t, long passes) {
    const int creating = strcmp(phase, "create") == 0;
    if (!creating && strcmp(phase, "stat") != 0 && strcmp(phase, "unlink") != 0) return usage();
    if (creating && mkdir(t->root, 0755) != 0) return fail("mkdir", t->root);
    const int root_fd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) return fail("open", t->root);
    int* fds = calloc((size_t)t->dirs, sizeof *fds);
    int rc = -1;
    if (fds == NULL) {
        rc = fail("allocate", "directory fds");
    } else if (creating) {
        rc = create_files(t, root_fd, fds);
    } else if (strcmp(phase, "stat") == 0) {
        rc = stat_files(t, root_fd, fds, passes);
    } else {
        rc = unlink_files(t, root_fd, fds);
    }
    if (rc == 0) close_dirs(t, fds);
    free(fds);
    close(root_fd);
    if (rc == 0 && strcmp(phase, "unlink") == 0 && rmdir(t->root) != 0) rc = fail("rmdir", t->root);
    return rc;
}

int main(int argc, char** argv) {
    if (argc < 5 || argc > 6) return usage();
    const char* phase = argv[1];
    const struct tree t = {argv[2], parse_count(argv[3], "FILES"), parse_count(argv[4], "DIRS")};
    const long passes = argc == 6 ? parse_count(argv[5], "PASSES") : 1;

    const double start = now_seconds();
    if (run_phase(phase, &t, passes) != 0) return 1;
    const double seconds = now_seconds() - start;
    printf(
        "{\"phase\": \"%s\", \"files\": %ld, \"dirs\": %ld, \"passes\": %ld, "
        "\"seconds\": %.6f}\n",
        phase, t.files, t.dirs, passes, seconds);
    return 0;
}
