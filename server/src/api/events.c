#include "api/events.h"

#include "http/reply.h"
#include "jobs/event_hub.h"

enum MHD_Result api_events(struct request *req)
{
    struct MHD_Response *r;
    switch (event_hub_open(req, &r)) {
    case EVENT_OPEN_OK:
        break;
    case EVENT_OPEN_CAPACITY:
        return reply_error(req, ERR_EVENTS_CAPACITY, NULL);
    case EVENT_OPEN_SESSION_LIMIT:
        return reply_error(req, ERR_EVENTS_SESSION_LIMIT, NULL);
    case EVENT_OPEN_FAILED:
    default:
        return reply_error(req, ERR_SERVER_UNAVAILABLE, NULL);
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream; charset=utf-8");
    /* A proxy that buffers would hold the events back. */
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    return reply_response(req, MHD_HTTP_OK, r);
}
