/* test_team.c — the thread team: every member runs, barriers order the phases, runs repeat
 * without losing a member; and the shared helpers for splitting work and aligned memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/team.h"

enum { MAXN = 8, LEN = 4096 };

typedef struct work {
    nnt_team *team;
    int ran[MAXN];
    long a[LEN], b[LEN];
    long sums[MAXN];
    int round;
} work;

/* Phase 1 writes a[] in parts; phase 2 reads all of a[] (other members' parts too) and writes b[];
 * phase 3 sums b[]. Without the barriers the sums would see stale or half-written values. */
static void phases(void *ctx, int id, int n)
{
    work *w = ctx;
    size_t lo, hi;
    w->ran[id]++;
    nnt_part(&lo, &hi, LEN, id, n, 16);
    for (size_t i = lo; i < hi; i++)
        w->a[i] = (long)i * w->round;
    team_barrier(w->team);
    for (size_t i = lo; i < hi; i++)
        w->b[i] = w->a[LEN - 1 - i] + 1;
    team_barrier(w->team);
    long s = 0;
    for (size_t i = 0; i < LEN; i++)
        s += w->b[i];
    w->sums[id] = s;
}

int main(void)
{
    nnt_err err;
    for (int n = 1; n <= 4; n++) {
        work *w = calloc(1, sizeof *w);
        w->team = team_new(n, &err);
        CHECK(w->team != NULL);
        int good = 1;
        for (int round = 1; round <= 3000; round++) {
            w->round = round;
            team_run(w->team, phases, w);
            /* Σ_i (round·(LEN−1−i) + 1) = round·LEN(LEN−1)/2 + LEN */
            long want = (long)round * LEN * (LEN - 1) / 2 + LEN;
            for (int k = 0; k < n; k++)
                good &= w->sums[k] == want;
        }
        CHECKF(good, "%d members: a phase saw another's unfinished work", n);
        for (int k = 0; k < n; k++)
            CHECKF(w->ran[k] == 3000, "%d members: member %d ran %d times", n, k, w->ran[k]);
        team_free(w->team);
        free(w);
    }
    team_free(NULL);
    CHECK(team_new(0, &err) == NULL);

    /* nnt_part: contiguous, in order, covering, aligned but for the end, balanced */
    size_t sizes[] = {0, 1, 15, 16, 17, 203530, 1000003};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int parts = 1; parts <= 7; parts++)
            for (size_t align = 1; align <= 16; align *= 4) {
                size_t n = sizes[s], prev = 0, most = 0, least = SIZE_MAX;
                int ok = 1;
                for (int i = 0; i < parts; i++) {
                    size_t lo, hi;
                    nnt_part(&lo, &hi, n, i, parts, align);
                    ok &= lo == prev && hi >= lo && (lo % align == 0 || lo == n);
                    prev = hi;
                    most = hi - lo > most ? hi - lo : most;
                    least = hi - lo < least ? hi - lo : least;
                }
                ok &= prev == n;
                /* parts differ by at most one block, plus the short last block */
                ok &= n < align * (size_t)parts || most - least <= 2 * align;
                CHECKF(ok, "n %zu, %d parts, align %zu", n, parts, align);
            }

    /* aligned, zeroed memory; sizes that overflow are refused */
    for (size_t n = 1; n < 200; n += 37) {
        float *p = nnt_calloc_aligned(n, sizeof *p);
        CHECK(p != NULL && (uintptr_t)p % 64 == 0);
        int zero = 1;
        for (size_t i = 0; p && i < n; i++)
            zero &= p[i] == 0.0f;
        CHECK(zero);
        free(p);
    }
    CHECK(nnt_calloc_aligned(SIZE_MAX / 2, 4) == NULL);
    CHECK(nnt_calloc_aligned(SIZE_MAX - 10, 1) == NULL);
    return check_done("test_team");
}
