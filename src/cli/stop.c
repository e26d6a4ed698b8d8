/* stop.c — the one piece of global mutable state, the flag SIGINT and SIGTERM set: a signal
 * handler can reach nothing else. train and tune hand it to the training loop (opts.stop). */
#include <signal.h>
#include <string.h>

#include "cli.h"

volatile sig_atomic_t cli_stop_signal = 0;

static void on_signal(int sig) { cli_stop_signal = sig; }

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

const char *cli_signal_name(int sig) { return sig == SIGINT ? "SIGINT" : "SIGTERM"; }
