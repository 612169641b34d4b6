/* GET /api/v1/events: the live-update stream (jobs/event_hub.h does the work). */
#ifndef ONSHI_API_EVENTS_H
#define ONSHI_API_EVENTS_H

#include "http/request.h"

enum MHD_Result api_events(struct request *req);

#endif
