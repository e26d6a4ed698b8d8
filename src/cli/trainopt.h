/* trainopt.h — the options that shape a training run: one table and one parser for train, cv and
 * tune, so a setting means the same in each. */
#ifndef NNT_TRAINOPT_H
#define NNT_TRAINOPT_H

#include <getopt.h>
#include <stddef.h>

#include "cli.h"
#include "nnt/defaults.h"

/* The train options' getopt_long table, {0}-terminated; their ids are 1000 and up, clear of
 * each command's own. */
extern const struct option trainopt_options[];
enum { TRAINOPT_COUNT = 30 };

/* *a with every default in place, epochs and lr left 0 ("decide once the data is known"). */
void trainopt_defaults(train_args *a);

/* Applies the train option whose getopt id is c to *a, with its value val (NULL for a flag),
 * recording in *given what the user named. 0 on success; EXIT_USAGE after printing the usage
 * error (cmd names the command); -1 when c is not a train option (the caller's own, or bad). */
int trainopt_apply(train_args *a, nnt_given *given, int c, const char *val, const char *cmd);

/* After every option: the checks between options, the defaults that depend on others (the
 * recipe, the seeds of dropout and augmentation, the optimiser's rate). 0 or EXIT_USAGE. */
int trainopt_finish(train_args *a, const nnt_given *given, const char *cmd);

/* Writes the train options then own's (both {0}-terminated) into out, which has room for n
 * entries; 0, or -1 when they do not fit. */
int trainopt_table(struct option *out, size_t n, const struct option *own);

#endif
