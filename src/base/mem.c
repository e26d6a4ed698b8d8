/* mem.c — how much more memory this process may take before an allocation fails or the
 * kernel kills it: the smallest of free RAM and swap, the cgroup's limit and the rlimits. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "nnt/mem.h"

/* The first number after `key` in a /proc-style file (MemAvailable:  123 kB), or -1. */
static double read_key(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1.0;
    char line[256];
    double v = -1.0;
    size_t n = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && sscanf(line + n, "%lf", &v) == 1)
            break;
    fclose(f);
    return v;
}

/* The single number in a sysfs file; -1 when absent or "max" (no limit). */
static double read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1.0;
    double v = -1.0;
    if (fscanf(f, "%lf", &v) != 1)
        v = -1.0;
    fclose(f);
    return v;
}

/* This process's cgroup path for the v1 memory controller (v1 = 1) or the v2 hierarchy. */
static int cgroup_path(char *out, size_t n, int v1)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return -1;
    char line[1024];
    int rc = -1;
    while (rc && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        if (!b)
            continue;
        *b = '\0';
        const char *ctl = a + 1;
        int hit = v1 ? strstr(ctl, "memory") != NULL : strcmp(line, "0") == 0 && *ctl == '\0';
        if (hit && strlen(b + 1) < n) {
            strcpy(out, b + 1);
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

/* limit − usage of the cgroup, or -1 without a limit. Inside a container the hierarchy is
 * often mounted at the process's own group, so the path is tried under the mount, then the
 * mount itself. */
static double cgroup_room(void)
{
    static const struct {
        int v1;
        const char *mount, *limit, *usage;
    } kinds[] = {{0, "/sys/fs/cgroup", "memory.max", "memory.current"},
                 {1, "/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes"}};
    double best = -1.0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char rel[512], path[1024];
        if (cgroup_path(rel, sizeof rel, kinds[k].v1))
            continue;
        for (int pass = 0; pass < 2; pass++) {
            const char *dir = pass == 0 ? rel : "";
            snprintf(path, sizeof path, "%s%s/%s", kinds[k].mount, dir, kinds[k].limit);
            double limit = read_number(path);
            snprintf(path, sizeof path, "%s%s/%s", kinds[k].mount, dir, kinds[k].usage);
            double usage = read_number(path);
            /* v1 says "no limit" with a number near 2^63 */
            if (limit < 0.0 || usage < 0.0 || limit > 0x1p60)
                continue;
            double room = limit > usage ? limit - usage : 0.0;
            if (best < 0.0 || room < best)
                best = room;
            break;
        }
    }
    return best;
}

/* The soft rlimit `which` less what the process already has of it (field of /proc/self/statm,
 * in pages), or -1 without a limit. */
static double rlimit_room(int which, int statm_field)
{
    struct rlimit rl;
    if (getrlimit(which, &rl) || rl.rlim_cur == RLIM_INFINITY)
        return -1.0;
    double used = 0.0, v[7] = {0};
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) == 6)
            used = v[statm_field] * (double)sysconf(_SC_PAGESIZE);
        fclose(f);
    }
    double lim = (double)rl.rlim_cur;
    return lim > used ? lim - used : 0.0;
}

double mem_room(const char **what)
{
    struct {
        double room;
        const char *what;
    } c[4] = {{-1.0, NULL}, {-1.0, NULL}, {-1.0, NULL}, {-1.0, NULL}};
    double avail = read_key("/proc/meminfo", "MemAvailable:"),
           swap = read_key("/proc/meminfo", "SwapFree:");
    if (avail >= 0.0)
        c[0].room = 1024.0 * (avail + (swap > 0.0 ? swap : 0.0)), c[0].what = "in free memory and swap";
    c[1].room = cgroup_room(), c[1].what = "under the cgroup's memory limit";
    c[2].room = rlimit_room(RLIMIT_AS, 0), c[2].what = "under the address-space limit, ulimit -v";
    c[3].room = rlimit_room(RLIMIT_DATA, 5), c[3].what = "under the data-size limit, ulimit -d";
    double best = -1.0;
    for (int i = 0; i < 4; i++)
        if (c[i].room >= 0.0 && (best < 0.0 || c[i].room < best)) {
            best = c[i].room;
            if (what)
                *what = c[i].what;
        }
    return best;
}

void mem_format(char *buf, size_t n, double bytes)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 5)
        bytes /= 1024.0, u++;
    snprintf(buf, n, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}
