/* A C program against wasi-libc: argv, getenv, stdio buffering, fopen/fgets, stat,
 * opendir/readdir (wasi-libc's own use of fd_readdir cookies), unlink, and an exit
 * status returned from main. Expects a read-write preopen at /data. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    printf("argc=%d argv[1]=%s\n", argc, argc > 1 ? argv[1] : "(none)");
    const char *who = getenv("WHO");
    printf("WHO=%s\n", who ? who : "(unset)");

    /* Many files, so the directory listing needs more than one fd_readdir call. */
    char path[64];
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof path, "/data/file-%02d-with-a-long-name.txt", i);
        FILE *f = fopen(path, "w");
        if (!f) { perror("fopen"); return 10; }
        fprintf(f, "line %d\n", i);
        fclose(f);
    }
    FILE *f = fopen("/data/file-07-with-a-long-name.txt", "r");
    char line[32];
    if (!f || !fgets(line, sizeof line, f)) { perror("fgets"); return 11; }
    fclose(f);
    printf("read: %s", line);

    struct stat st;
    if (stat("/data/file-07-with-a-long-name.txt", &st) != 0) { perror("stat"); return 12; }
    printf("size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0);

    DIR *d = opendir("/data");
    if (!d) { perror("opendir"); return 13; }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("entries=%d first=%s second=%s third=%s last=%s\n", n, names[0], names[1], names[2],
           names[n - 1]);

    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof path, "/data/file-%02d-with-a-long-name.txt", i);
        if (unlink(path) != 0) { perror("unlink"); return 14; }
    }
    if (fopen("/data/../escape.txt", "w") == NULL)
        printf("escape: %s\n", strerror(errno));
    if (fopen("/data/missing.txt", "r") == NULL)
        printf("missing: %s\n", strerror(errno));
    fflush(stdout);
    return 3;
}
