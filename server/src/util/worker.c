#include "util/worker.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

void worker_set_name(const char *name)
{
    char cut[WORKER_NAME_MAX];
    snprintf(cut, sizeof cut, "%s", name);
    prctl(PR_SET_NAME, cut);
}

void worker_name_this_thread(const char *prefix)
{
    static atomic_uint count;
    static _Thread_local bool named;
    if (named)
        return;
    named = true;
    char name[WORKER_NAME_MAX];
    snprintf(name, sizeof name, "%s-%u", prefix, atomic_fetch_add(&count, 1) + 1);
    worker_set_name(name);
}

/* Named from inside: PR_SET_NAME names the calling thread (pthread_setname_np would need
 * _GNU_SOURCE). */
static void *trampoline(void *p)
{
    struct worker *w = p;
    worker_set_name(w->name);
    w->run(w, w->arg);
    return NULL;
}

int worker_start(struct worker *w, worker_fn run, void *arg, const char *name, ...)
{
    *w = (struct worker){.run = run, .arg = arg};
    atomic_init(&w->stopping, false);
    va_list ap;
    va_start(ap, name);
    /* clang-tidy's analyzer loses va_start's state when it checks several files in one run
     * (tests/run.sh passes four): it is initialised on the line above. */
    vsnprintf(w->name, sizeof w->name, name, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    /* Close-on-exec: the hashing helper, spawned later, inherits none of them. */
    w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (w->wake_fd < 0)
        return -1;
    if (pthread_create(&w->thread, NULL, trampoline, w) != 0) {
        close(w->wake_fd);
        w->wake_fd = -1;
        return -1;
    }
    w->running = true;
    return 0;
}

bool worker_stopping(struct worker *w)
{
    return atomic_load(&w->stopping);
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

enum worker_event worker_wait(struct worker *w, int timeout_ms, int extra_fd)
{
    if (worker_stopping(w))
        return WORKER_STOP;
    struct pollfd fds[2] = {{w->wake_fd, POLLIN, 0}, {extra_fd, POLLIN, 0}};
    long long until = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
    int n, left = timeout_ms;
    /* Signals are blocked in onshid's threads; an EINTR (a debugger) waits out the rest. */
    while ((n = poll(fds, extra_fd >= 0 ? 2 : 1, left)) < 0 && errno == EINTR)
        if (timeout_ms >= 0 && (left = (int)(until - now_ms())) < 0)
            left = 0;
    if (n > 0 && (fds[0].revents & POLLIN)) {
        uint64_t v;
        ssize_t r = read(w->wake_fd, &v, sizeof v); /* resets the counter */
        (void)r;
    }
    if (worker_stopping(w))
        return WORKER_STOP;
    if (n > 0 && (fds[0].revents & POLLIN))
        return WORKER_WOKEN;
    return n > 0 && extra_fd >= 0 && fds[1].revents ? WORKER_READY : WORKER_TIMEOUT;
}

void worker_wake(struct worker *w)
{
    if (!w->running) /* a static never started has wake_fd 0: not ours to write */
        return;
    uint64_t one = 1;
    ssize_t r = write(w->wake_fd, &one, sizeof one); /* EAGAIN only when already awake */
    (void)r;
}

bool worker_request_stop(struct worker *w)
{
    if (!w->running)
        return false;
    atomic_store(&w->stopping, true);
    worker_wake(w);
    return true;
}

void worker_join(struct worker *w)
{
    if (!w->running)
        return;
    pthread_join(w->thread, NULL);
    close(w->wake_fd);
    w->wake_fd = -1;
    w->running = false;
}

void worker_stop(struct worker *w)
{
    worker_request_stop(w);
    worker_join(w);
}
