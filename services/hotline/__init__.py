"""The 12345 hotline and Open311: citizen requests as events with a work order (工单).

The face: the Open311 vocabulary (`open311`: service list and definitions, a posted request checked, a stored
one as the spec's record), the telephone system's calls (`calls`: checked rows, answer rate and pick-up time),
the store (`requests`: submit, read back, resolve a token), hot topics (`topics`:
jieba-segmented terms rising against last week) and repeat complaints (`repeats`: same caller or same place,
fuzzy-matched text), and the wall's hotline indicators measured from the orders and calls (`readings`:
`refresh_readings` now, `HotlineReadingsJob` on a cadence).
"""

from services.hotline.calls import SERVICE_LEVEL_S, CallFigures, call_figures, ingest_calls
from services.hotline.open311 import (
    STATUSES,
    Open311Error,
    PostedRequest,
    find_service,
    lifecycle_statuses,
    moment,
    posted_request,
    request_record,
    service_definition,
    service_list,
    status_of,
)
from services.hotline.readings import INDICATORS, HotlineReadingsJob, refresh_readings
from services.hotline.repeats import Order, Repeat, find_repeats
from services.hotline.requests import MOST_RETURNED, StoredRequest, id_for_token, stored_requests, submit
from services.hotline.topics import Topic, hot_topics, learn

__all__ = [
    "SERVICE_LEVEL_S",
    "CallFigures",
    "call_figures",
    "HotlineReadingsJob",
    "INDICATORS",
    "refresh_readings",
    "ingest_calls",
    "MOST_RETURNED",
    "STATUSES",
    "Open311Error",
    "Order",
    "PostedRequest",
    "Repeat",
    "StoredRequest",
    "Topic",
    "find_repeats",
    "find_service",
    "hot_topics",
    "id_for_token",
    "learn",
    "lifecycle_statuses",
    "moment",
    "posted_request",
    "request_record",
    "service_definition",
    "service_list",
    "status_of",
    "stored_requests",
    "submit",
]
