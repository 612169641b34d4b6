/* Configuration files (util/config.c): the input is written to a file that config_load
 * reads (no ONSHI_ variable is set, so the file decides). A file read gives a configuration
 * whose cross-key rules hold; a refused one says why in a message that fits its buffer and
 * leaves nothing allocated. */
#include "fuzz.h"

#include <unistd.h>

#include "util/config.h"

static char path[64];
static int fd = -1;

static void cleanup(void)
{
    if (fd >= 0)
        unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/onshi-fuzz-config-XXXXXX",
                 dir && strlen(dir) < 32 ? dir : "/tmp");
        fd = mkstemp(path);
        CHECK(fd >= 0);
        atexit(cleanup);
        /* The environment overrides the file: none of it may take part. */
        extern char **environ;
        for (char **e = environ; *e;)
            if (strncmp(*e, "ONSHI_", 6) == 0) {
                char name[128];
                snprintf(name, sizeof name, "%.*s", (int)strcspn(*e, "="), *e);
                unsetenv(name);
            } else {
                e++;
            }
    }
    CHECK(ftruncate(fd, 0) == 0);
    CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
    struct config c;
    char err[256];
    memset(err, 'x', sizeof err);
    if (config_load(path, &c, err, sizeof err) == 0) {
        CHECK(c.password_min_length <= c.password_max_length);
        CHECK(c.password_min_classes <= c.password_max_length);
        CHECK(c.listen_address && c.database_url && c.environment && c.log_level);
        CHECK(c.port >= 0 && c.port <= 65535);
        CHECK(c.password_history >= 1 && c.password_history <= PASSWORD_HISTORY_MAX);
        CHECK(c.public_base_url == NULL || strlen(c.public_base_url) <= 200);
        /* A reload from the same file changes nothing that would be ignored. */
        struct config merged;
        char ignored[256] = "";
        CHECK(config_merge_reload(&c, &c, &merged, ignored, sizeof ignored) == 0);
        CHECK(ignored[0] == '\0');
        config_free(&merged);
        config_free(&c);
    } else {
        CHECK(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0');
    }
    return 0;
}
