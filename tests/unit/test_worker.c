/* The worker primitive: a named thread whose bounded wait returns on stop, on a wake-up, at
 * its timeout or when its extra descriptor is readable; stop joins it; thread names. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "util/worker.h"

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

enum { MAX_EVENTS = 8 };

/* What one worker saw: its name, and the wait results in order (atomics: the test thread
 * reads them while the worker runs). */
struct seen {
    char name[WORKER_NAME_MAX];
    int extra_fd;
    atomic_int n;
    atomic_int events[MAX_EVENTS];
};

static void record(struct worker *w, void *arg)
{
    struct seen *s = arg;
    prctl(PR_GET_NAME, s->name);
    while (atomic_load(&s->n) < MAX_EVENTS) {
        enum worker_event e = worker_wait(w, 10000, s->extra_fd);
        if (e == WORKER_READY) { /* consumed, or it would be reported again at once */
            char b;
            ssize_t r = read(s->extra_fd, &b, 1);
            (void)r;
        }
        atomic_store(&s->events[atomic_load(&s->n)], (int)e);
        atomic_fetch_add(&s->n, 1);
        if (e == WORKER_STOP)
            return;
    }
}

/* Until the worker has reported `count` events (bounded: a failure, not a hang). */
static void await_events(struct seen *s, int count)
{
    long long until = now_ms() + 5000;
    while (atomic_load(&s->n) < count && now_ms() < until) {
        struct timespec t = {0, 1000000};
        nanosleep(&t, NULL);
    }
    assert_int_equal(atomic_load(&s->n), count);
}

static void a_worker_is_named_woken_and_stopped_promptly(void **state)
{
    (void)state;
    struct seen s = {.extra_fd = -1};
    struct worker w;
    assert_int_equal(worker_start(&w, record, &s, "onshi-test-%s", "worker-long"), 0);
    worker_wake(&w);
    await_events(&s, 1);
    assert_int_equal(atomic_load(&s.events[0]), WORKER_WOKEN);
    long long before = now_ms();
    worker_stop(&w);
    assert_true(now_ms() - before < 1000); /* not the wait's 10 s */
    assert_int_equal(atomic_load(&s.n), 2);
    assert_int_equal(atomic_load(&s.events[1]), WORKER_STOP);
    assert_string_equal(s.name, "onshi-test-work"); /* cut to the kernel's 15 bytes */
    worker_stop(&w);                                /* again: nothing to do */
}

static void the_extra_descriptor_ends_the_wait(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct seen s = {.extra_fd = p[0]};
    struct worker w;
    assert_int_equal(worker_start(&w, record, &s, "onshi-test"), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    await_events(&s, 1);
    assert_int_equal(atomic_load(&s.events[0]), WORKER_READY);
    worker_stop(&w);
    assert_int_equal(atomic_load(&s.events[1]), WORKER_STOP);
    close(p[0]);
    close(p[1]);
}

static void timed(struct worker *w, void *arg)
{
    long long *took = arg;
    long long before = now_ms();
    int e = worker_wait(w, 50, -1);
    took[0] = now_ms() - before;
    took[1] = e;
}

static void the_wait_is_bounded_by_its_timeout(void **state)
{
    (void)state;
    long long took[2] = {-1, -1};
    struct worker w;
    assert_int_equal(worker_start(&w, timed, took, "onshi-test"), 0);
    worker_join(&w); /* returns by itself: no stop asked */
    assert_int_equal(took[1], WORKER_TIMEOUT);
    assert_true(took[0] >= 45 && took[0] < 1000);
}

static void early(struct worker *w, void *arg)
{
    int *e = arg;
    while (!worker_stopping(w)) {
        struct timespec t = {0, 1000000};
        nanosleep(&t, NULL);
    }
    *e = worker_wait(w, -1, -1); /* no limit, yet returns: the stop came before it */
}

static void a_stop_asked_before_the_wait_is_not_missed(void **state)
{
    (void)state;
    int e = -1;
    struct worker w;
    assert_int_equal(worker_start(&w, early, &e, "onshi-test"), 0);
    assert_true(worker_request_stop(&w));
    worker_join(&w);
    assert_int_equal(e, WORKER_STOP);
    assert_false(worker_request_stop(&w)); /* joined: not running any more */
}

static void name_twice(struct worker *w, void *arg)
{
    (void)w;
    char(*names)[WORKER_NAME_MAX] = arg;
    worker_name_this_thread("onshi-http");
    prctl(PR_GET_NAME, names[0]);
    worker_name_this_thread("onshi-http");
    prctl(PR_GET_NAME, names[1]);
}

static void threads_named_from_a_prefix_are_numbered_once_each(void **state)
{
    (void)state;
    char a[2][WORKER_NAME_MAX], b[2][WORKER_NAME_MAX];
    struct worker wa, wb;
    assert_int_equal(worker_start(&wa, name_twice, a, "onshi-test"), 0);
    worker_join(&wa);
    assert_int_equal(worker_start(&wb, name_twice, b, "onshi-test"), 0);
    worker_join(&wb);
    assert_string_equal(a[0], "onshi-http-1");
    assert_string_equal(a[1], "onshi-http-1"); /* the second call on a thread changes nothing */
    assert_string_equal(b[0], "onshi-http-2");
    assert_string_equal(b[1], "onshi-http-2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_worker_is_named_woken_and_stopped_promptly),
        cmocka_unit_test(the_extra_descriptor_ends_the_wait),
        cmocka_unit_test(the_wait_is_bounded_by_its_timeout),
        cmocka_unit_test(a_stop_asked_before_the_wait_is_not_missed),
        cmocka_unit_test(threads_named_from_a_prefix_are_numbered_once_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
