#include "http/static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/reply.h"

static int root_fd = -1;

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

int static_init(const char *dir)
{
    root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return root_fd >= 0 ? 0 : -1;
}

void static_shutdown(void)
{
    if (root_fd >= 0)
        close(root_fd);
    root_fd = -1;
}

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* Only plain names: no empty, "." or ".." segments and no hidden files, so nothing outside
 * the directory (or inside it but private) can be named. */
static int safe_relative(const char *rel)
{
    if (strlen(rel) > 512)
        return 0;
    const char *seg = rel;
    while (*seg) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len == 0 || seg[0] == '.' || memchr(seg, '\\', len))
            return 0;
        if (!end)
            break;
        seg = end + 1;
    }
    return 1;
}

static int open_file(const char *rel, struct stat *st)
{
    /* O_NOFOLLOW on the last component; the directory is ours and holds no links out. */
    int fd = openat(root_fd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

enum MHD_Result static_serve(struct request *req, const char *rel)
{
    if (root_fd < 0)
        return reply_error(req, ERR_REQUEST_NOT_FOUND, NULL);
    if (*rel == '\0')
        rel = "index.html";
    if (!safe_relative(rel))
        return reply_error(req, ERR_REQUEST_NOT_FOUND, NULL);
    struct stat st;
    int fd = open_file(rel, &st);
    if (fd < 0)
        return reply_error(req, ERR_REQUEST_NOT_FOUND, NULL);
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(rel));
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    return reply_response(req, MHD_HTTP_OK, r);
}
