/* Live updates (GET /api/v1/events): the open Server-Sent-Event streams of this process and
 * the thread that feeds them from PostgreSQL's LISTEN (channel onshi_events, announced by the
 * triggers of schema/0009_events.sql at commit, whichever onshid or tool wrote).
 *
 * A stream is a libmicrohttpd response from a content callback: with nothing queued the
 * callback suspends its connection, and the hub resumes it when it queues an event, a
 * heartbeat or the end. The hub filters as the GET endpoints do (institution, the bulk jobs'
 * tier, capabilities), checks each stream's session again when it may have ended (an account
 * or session change, or its idle or lifetime deadline; never touching it), and ends every
 * stream when the daemon stops. */
#ifndef ONSHI_EVENT_HUB_H
#define ONSHI_EVENT_HUB_H

#include <jansson.h>
#include <microhttpd.h>

#include "http/request.h"
#include "store/db.h"

/* present_bulk_job turns a job as store_bulk_list gives it into what GET shows (api/). */
int event_hub_start(const struct db_options *opt, void (*present_bulk_job)(json_t *job));
/* After the HTTP server has stopped (no stream is left then). */
void event_hub_stop(void);

enum event_open {
    EVENT_OPEN_OK,
    EVENT_OPEN_CAPACITY,      /* event_streams_max reached */
    EVENT_OPEN_SESSION_LIMIT, /* event_streams_per_session reached for this session */
    EVENT_OPEN_FAILED,        /* out of memory, or the hub is not running */
};
/* For an authenticated request: registers a stream for its principal and makes the response
 * that carries it (*out, to be queued by the caller). */
enum event_open event_hub_open(struct request *req, struct MHD_Response **out);

/* Draining: every stream ends once what is queued on it is sent. */
void event_hub_close_all(void);
/* After a configuration reload: streams over lowered limits end, deadlines are checked. */
void event_hub_reload(void);
/* Open streams, for /metrics. */
int event_hub_streams(void);

#endif
