#include "util/hash_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "util/secret.h"
#include "util/worker.h"

extern char **environ;

enum { FIRST_FD = 3 };

static int *channels;
static int nchannels;
static pid_t helper = -1;
static atomic_bool broken;
static _Thread_local int my_channel = -1;

/* Moves the child ends above every fd the child will be given, so that the dup2 calls of the
 * spawn cannot overwrite one another. */
static int spawn_helper(const char *exe, int workers, int (*pairs)[2])
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    int rc = 0;
    int *high = calloc((size_t)workers, sizeof *high);
    for (int i = 0; i < workers && rc == 0 && high; i++) {
        high[i] = fcntl(pairs[i][1], F_DUPFD_CLOEXEC, FIRST_FD + workers);
        if (high[i] < 0 || posix_spawn_file_actions_adddup2(&fa, high[i], FIRST_FD + i) != 0)
            rc = -1;
    }
    char n[16];
    snprintf(n, sizeof n, "%d", workers);
    char *const argv[] = {"onshid-hash", "--hash-worker", n, NULL};
    int e = !high || rc != 0 ? EMFILE : posix_spawn(&helper, exe, &fa, NULL, argv, environ);
    if (e != 0) {
        helper = -1;
        errno = e;
        rc = -1;
    }
    for (int i = 0; high && i < workers; i++)
        if (high[i] >= 0)
            close(high[i]);
    free(high);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

int hash_pool_start(const char *exe, int workers)
{
    int(*pairs)[2] = calloc((size_t)workers, sizeof *pairs);
    channels = calloc((size_t)workers, sizeof *channels);
    int made = 0;
    int rc = pairs && channels ? 0 : -1;
    while (rc == 0 && made < workers) {
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pairs[made]) != 0)
            rc = -1;
        else
            made++;
    }
    if (rc == 0)
        rc = spawn_helper(exe, workers, pairs);
    int err = errno;
    for (int i = 0; i < made; i++) {
        close(pairs[i][1]);
        if (rc == 0)
            channels[i] = pairs[i][0];
        else
            close(pairs[i][0]);
    }
    free(pairs);
    if (rc != 0) {
        free(channels);
        channels = NULL;
        log_msg(LOG_WARN, "could not start the password hashing helper (%s); hashing in onshid",
                strerror(err));
        return -1;
    }
    nchannels = workers;
    atomic_store(&broken, false);
    return 0;
}

void hash_pool_stop(void)
{
    for (int i = 0; i < nchannels; i++)
        close(channels[i]);
    free(channels);
    channels = NULL;
    nchannels = 0;
    if (helper > 0) {
        int status;
        while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
            ;
        helper = -1;
    }
}

void hash_pool_attach(int index)
{
    my_channel = index >= 0 && index < nchannels ? channels[index] : -1;
}

static bool exchange(int fd, struct hash_job *job)
{
    ssize_t n;
    do
        n = send(fd, job, sizeof *job, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof *job)
        return false;
    do
        n = recv(fd, job, sizeof *job, 0);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof *job;
}

bool hash_pool_run(struct hash_job *job)
{
    if (my_channel < 0 || atomic_load(&broken))
        return false;
    if (exchange(my_channel, job))
        return true;
    if (!atomic_exchange(&broken, true))
        log_msg(LOG_ERROR, "the password hashing helper is gone; hashing in onshid from now on");
    return false;
}

/* --- the helper process ------------------------------------------------------------------ */

struct server {
    struct worker worker;
    int fd;
    hash_job_fn compute;
};

/* Ends when onshid closes the channel: the helper has no stop of its own to ask for. */
static void serve_channel(struct worker *w, void *arg)
{
    (void)w;
    struct server *s = arg;
    struct hash_job job;
    for (;;) {
        ssize_t n = recv(s->fd, &job, sizeof job, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof job) /* 0: onshid closed the channel */
            break;
        job.password[sizeof job.password - 1] = job.stored[sizeof job.stored - 1] = '\0';
        s->compute(&job);
        n = send(s->fd, &job, sizeof job, MSG_NOSIGNAL);
        secret_wipe(&job, sizeof job);
        if (n != (ssize_t)sizeof job)
            break;
    }
    close(s->fd);
}

int hash_pool_serve(int n, hash_job_fn compute)
{
    /* Ends with onshid even when onshid is killed; leaves signals from a terminal to it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    prctl(PR_SET_NAME, "onshid-hash");
    /* Below onshid's threads and PostgreSQL, so that their wake-ups preempt a hash at once.
     * Where the kernel groups CPU time by session (autogroup, on by default in Debian), a
     * nice value only ranks threads within their session, and hashing in onshid's session
     * took the CPU time its HTTP threads needed (reads stalled for 100-400 ms under sign-in
     * load): the helper gets a session of its own and that session a lower weight too. */
    setsid();
    setpriority(PRIO_PROCESS, 0, 10);
    FILE *autogroup = fopen("/proc/self/autogroup", "w");
    if (autogroup) {
        fputs("10", autogroup);
        fclose(autogroup);
    }
    if (n < 1 || n > 1024)
        return 2;
    struct server *servers = calloc((size_t)n, sizeof *servers);
    int started = 0;
    for (; servers && started < n; started++) {
        struct server *s = &servers[started];
        s->fd = FIRST_FD + started;
        s->compute = compute;
        if (worker_start(&s->worker, serve_channel, s, "onshi-hash-%d", started + 1) != 0)
            break;
    }
    /* Channels nobody serves are closed: their workers see EOF and hash by themselves
     * instead of waiting for an answer forever. */
    for (int i = started; i < n; i++)
        close(FIRST_FD + i);
    for (int i = 0; i < started; i++)
        worker_join(&servers[i].worker);
    free(servers);
    return started == n ? 0 : 1;
}
