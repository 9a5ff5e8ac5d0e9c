"""Why a step of a work order's life is refused: `OrderRefused(code, **params)`, as the events lifecycle's
`TransitionRefused`. The hotline's own codes are worded by `hotline.refusal.<code>` (components/locales/
hotline_orders.toml); a lifecycle refusal met on the way keeps its code and is worded by `events.refusal.<code>`,
so `OrderRefused.key` names the catalog key either way and callers catch one exception."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from services.events import TransitionRefused

REASONS: Mapping[str, str] = {
    "no_order": "no work order {order_id} in your scope",
    "needs_reason": "a return needs a reason",
    "not_returnable": "{department} is {dispatch_status}: only a department still working on it can return it",
    "nothing_returned": "no department has returned order {order_id}: a redispatch follows a return or a reopening",
    "already_dispatched": "already dispatched to {departments}",
    "no_active_dispatch": "no department is working on order {order_id}",
    "empty_reply": "the reply is empty",
    "not_replyable": "the order is {current}: a reply needs it dispatched and not yet answered",
    "not_replied": "the order is {current}: it is closed after its department has replied",
    "not_closed": "the order is {current}: the follow-up call comes after it is closed",
    "followed_up": "order {order_id} was already followed up after it was closed",
    "unknown_satisfaction": "unknown satisfaction {satisfaction!r}: use one of {choices}",
    "needs_satisfaction": "a citizen who was reached says how satisfied they are: one of {choices}",
    "unreached_satisfaction": "satisfaction is recorded only when the citizen was reached",
}


class OrderRefused(ValueError):
    """A step refused before anything was written: `code`, `params` for a page to word it, `reason` the English
    sentence, `key` the catalog key that words it."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        words = {name: ", ".join(value) if isinstance(value, tuple) else value for name, value in params.items()}
        self.reason = REASONS[code].format(**words) if code in REASONS else str(TransitionRefused(code, **params))
        super().__init__(self.reason)

    @property
    def key(self) -> str:
        return f"{'hotline' if self.code in REASONS else 'events'}.refusal.{self.code}"


@contextmanager
def lifecycle_refusals() -> Iterator[None]:
    """Re-raise the events lifecycle's refusals as OrderRefused with the same code and parameters."""
    try:
        yield
    except TransitionRefused as refused:
        raise OrderRefused(refused.code, **refused.params) from None
