"""Repeat complaints (重复投诉): the same problem called in again, by the same caller or about the same place.

An order repeats an earlier one of the same category (and subcategory, when both have one) within `days` when
their texts say the same thing (rapidfuzz's token-set ratio over the texts' words, so word order and extra words
such as 又 or 第二次 do not hide it) and either the caller is the same (their phone's key, never the number; the
places, when both have one, within `CALLER_RADIUS` of `meters`: the same caller's light out on another road is
another case) or the two places are within `meters`. The text threshold is lower for the same caller, who words a
second call differently; a stranger at the same spot must say nearly the same. Each repeat names the most similar
earlier order it repeats.

Places are bucketed in cells of `meters`, so each order is compared only with the orders of its category in its
own and the eight neighbouring cells, and with its caller's: linear in practice, not quadratic.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from services.hotline.topics import terms

SAME_CALLER_SIMILARITY = 55.0
SAME_PLACE_SIMILARITY = 70.0
CALLER_RADIUS = 5  # × meters: how far apart the same caller's two calls may be and still be one case
METERS_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Order:
    """What repeat finding needs of a work order."""

    id: int
    category: str
    text: str
    at: datetime
    subcategory: str | None = None
    caller: str | None = None  # a key of the caller's phone (services.ingest.applicant_key), never the number
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class Repeat:
    order: int
    repeats: int  # the earlier order it repeats
    by: str  # "caller" | "place"
    similarity: float


def find_repeats(orders: Iterable[Order], *, days: float = 30, meters: float = 200,
                 ignore: frozenset[str] = frozenset()) -> list[Repeat]:
    """Every order that repeats an earlier one, in time order; `ignore`: words that say nothing here (place names)."""
    window = timedelta(days=days)
    by_caller: dict[tuple[str, str], list[tuple[Order, str]]] = defaultdict(list)
    by_cell: dict[tuple[str, int, int], list[tuple[Order, str]]] = defaultdict(list)
    found = []
    for order in sorted(orders, key=lambda order: (order.at, order.id)):
        words = " ".join(sorted(terms(order.text, ignore)))
        cell = _cell(order, meters)
        candidates: list[tuple[Order, str, str]] = []
        if order.caller:
            candidates += [(earlier, text, "caller") for earlier, text in by_caller[(order.category, order.caller)]]
        if cell is not None:
            candidates += [(earlier, text, "place") for dx in (-1, 0, 1) for dy in (-1, 0, 1)
                           for earlier, text in by_cell[(order.category, cell[0] + dx, cell[1] + dy)]
                           if earlier.caller != order.caller or not order.caller]
        best = _best(order, words, candidates, window, meters)
        if best is not None:
            found.append(best)
        if order.caller:
            by_caller[(order.category, order.caller)].append((order, words))
        if cell is not None:
            by_cell[(order.category, *cell)].append((order, words))
    return found


def _best(order: Order, words: str, candidates: Sequence[tuple[Order, str, str]], window: timedelta,
          meters: float) -> Repeat | None:
    best: Repeat | None = None
    for earlier, text, by in candidates:
        if order.at - earlier.at > window:
            continue
        if order.subcategory and earlier.subcategory and order.subcategory != earlier.subcategory:
            continue
        if _located(order, earlier) and _distance(order, earlier) > meters * (CALLER_RADIUS if by == "caller" else 1):
            continue
        similarity = fuzz.token_set_ratio(words, text)
        needed = SAME_CALLER_SIMILARITY if by == "caller" else SAME_PLACE_SIMILARITY
        if similarity >= needed and (best is None or similarity > best.similarity):
            best = Repeat(order.id, earlier.id, by, round(similarity, 1))
    return best


def _cell(order: Order, meters: float) -> tuple[int, int] | None:
    if order.lon is None or order.lat is None:
        return None
    size = meters / METERS_PER_DEGREE
    return math.floor(order.lon * math.cos(math.radians(order.lat)) / size), math.floor(order.lat / size)


def _located(a: Order, b: Order) -> bool:
    return None not in (a.lon, a.lat, b.lon, b.lat)


def _distance(a: Order, b: Order) -> float:
    """Metres between two points (equirectangular: exact enough within a city)."""
    assert a.lon is not None and a.lat is not None and b.lon is not None and b.lat is not None
    x = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    y = math.radians(b.lat - a.lat)
    return 6_371_000 * math.hypot(x, y)
