"""The 12345 hotline and Open311: citizen requests as events with a work order (工单).

The face: the Open311 vocabulary (`open311`: service list and definitions, a posted request checked, a stored
one as the spec's record), the telephone system's calls (`calls`: checked rows, answer rate and pick-up time),
the store (`requests`: submit, read back, resolve a token), hot topics (`topics`:
jieba-segmented terms rising against last week; `terms`: each order's terms cut once, on arrival, and stored) and repeat complaints (`repeats`: same caller or same place,
fuzzy-matched text), the work order's life: taken (`intake.take_orders`), dispatched, returned, redispatched,
replied, closed and followed up (`orders`), refused with `OrderRefused`, shown by `order_detail`; and what the
/hotline page shows (`figures`: the period's counts, volume, categories, hot spots, departments ranked worst first,
hot topics, all aggregated in SQL; `order_list`: the orders behind a number); and the wall's hotline indicators
measured from the orders and calls (`readings`: `refresh_readings` now, `HotlineReadingsJob` on a cadence).
"""

from services.hotline.calls import SERVICE_LEVEL_S, CallFigures, call_figures, ingest_calls
from services.hotline.detail import DispatchView, FollowUpView, MoveView, OrderDetail, order_detail
from services.hotline.figures import (
    MIN_RANKED,
    ORDER_CHANNELS,
    HotlineFilter,
    OrderSummary,
    departments,
    hot_spots,
    period_calls,
    summary,
    top_categories,
    topics,
    volume,
)
from services.hotline.intake import CHANNELS, REPEAT_DAYS, URGENCIES, caller_key, take_orders
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
from services.hotline.order_list import (
    DRILLS,
    ORDER_COLUMNS,
    PII_COLUMNS,
    Drill,
    OrderPage,
    order_page,
    order_rows,
)
from services.hotline.orders import (
    PROGRESS,
    SATISFACTIONS,
    active_dispatches,
    close_order,
    dispatch_order,
    follow_up,
    progress_order,
    record_refused,
    redispatch_order,
    reply_order,
    return_order,
)
from services.hotline.readings import INDICATORS, HotlineReadingsJob, refresh_readings
from services.hotline.refusals import OrderRefused
from services.hotline.repeats import Order, Repeat, find_repeats
from services.hotline.requests import MOST_RETURNED, StoredRequest, id_for_token, stored_requests, submit
from services.hotline.topics import Topic, hot_topics, learn

__all__ = [
    "CHANNELS",
    "DRILLS",
    "Drill",
    "HotlineFilter",
    "MIN_RANKED",
    "ORDER_CHANNELS",
    "ORDER_COLUMNS",
    "OrderPage",
    "OrderSummary",
    "PII_COLUMNS",
    "departments",
    "hot_spots",
    "order_page",
    "order_rows",
    "period_calls",
    "summary",
    "top_categories",
    "topics",
    "volume",
    "PROGRESS",
    "REPEAT_DAYS",
    "SATISFACTIONS",
    "URGENCIES",
    "DispatchView",
    "FollowUpView",
    "MoveView",
    "OrderDetail",
    "OrderRefused",
    "active_dispatches",
    "caller_key",
    "close_order",
    "dispatch_order",
    "follow_up",
    "order_detail",
    "progress_order",
    "record_refused",
    "redispatch_order",
    "reply_order",
    "return_order",
    "take_orders",
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
