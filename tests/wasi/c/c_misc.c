/* A second C program against wasi-libc: stdout and stderr, clocks and sleeping, random
 * bytes, reading standard input, mkdir/rename/rmdir, and exit(). Expects a read-write
 * preopen at /data. Its expected output is written out in tests/wasi_p1.rs. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    printf("hello from C\n");
    fprintf(stderr, "to stderr\n");

    struct timespec wall, t0, t1;
    clock_gettime(CLOCK_REALTIME, &wall);
    printf("wall clock after 2020: %d\n", wall.tv_sec > 1577836800 ? 1 : 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    printf("slept at least 20 ms: %d\n", ns >= 20000000LL ? 1 : 0);

    unsigned char buf[32] = {0};
    if (getentropy(buf, sizeof buf) != 0) { perror("getentropy"); return 10; }
    int nonzero = 0;
    for (unsigned i = 0; i < sizeof buf; i++) nonzero |= buf[i];
    printf("random bytes: %d\n", nonzero ? 1 : 0);

    char line[64];
    if (fgets(line, sizeof line, stdin)) {
        for (char *p = line; *p; p++) *p = (char)toupper((unsigned char)*p);
        printf("stdin: %s", line);
    }

    if (mkdir("/data/d", 0755) != 0) { perror("mkdir"); return 11; }
    FILE *f = fopen("/data/d/a.txt", "w");
    if (!f) { perror("fopen"); return 12; }
    fputs("abc", f);
    fclose(f);
    if (rename("/data/d/a.txt", "/data/b.txt") != 0) { perror("rename"); return 13; }
    if (rmdir("/data/d") != 0) { perror("rmdir"); return 14; }
    struct stat st;
    printf("renamed: %d\n", stat("/data/b.txt", &st) == 0 && st.st_size == 3 ? 1 : 0);
    fflush(stdout);
    exit(5);
}
