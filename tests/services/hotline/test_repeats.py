"""Repeat complaints on a labelled sample built here: callers who call again in other words, neighbours who call
about the same spot, and the hard cases that are not repeats (the same caller's other problem or another road,
the same spot a season later, the same words across the city). Precision ≥ 0.9 and recall ≥ 0.8 (the issue's bar)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from services.hotline.repeats import Order, Repeat, find_repeats

# (category, subcategory, the ways people word it: {spot} is where)
PROBLEMS = [
    ("facilities", "路灯不亮", ["{spot}路灯不亮，晚上一片漆黑", "{spot}的路灯坏了好几天，晚上不亮",
                              "{spot}路灯还是不亮，又打电话了", "晚上{spot}路灯全黑，没人修"]),
    ("facilities", "井盖缺失", ["{spot}井盖缺失，很危险", "{spot}井盖丢了，差点有人掉进去",
                              "{spot}井盖还没补上，井口敞着", "{spot}路面井盖不见了"]),
    ("city_appearance", "暴露垃圾", ["{spot}垃圾堆积没人清理，味道很大", "{spot}垃圾还是没人清运，臭味很重",
                                   "{spot}垃圾堆了一周没人清理", "{spot}垃圾成堆，苍蝇很多"]),
    ("public_security", "噪声扰民", ["{spot}KTV噪音扰民，凌晨还很吵", "{spot}KTV太吵了，半夜睡不着",
                                   "{spot}KTV又在半夜唱歌，噪音很大", "{spot}KTV噪音问题还没解决"]),
    ("construction", "夜间施工扰民", ["{spot}工地夜间施工，打桩声音很大", "{spot}工地半夜还在施工打桩",
                                     "{spot}工地晚上施工噪音吵得睡不着", "{spot}工地夜间打桩又开始了"]),
    ("traffic", "违章停车", ["{spot}车辆乱停占用消防通道", "{spot}消防通道又被车堵了",
                            "{spot}消防通道长期被私家车占用", "{spot}乱停车堵住消防通道"]),
]
SPOTS = ["幸福小区东门", "人民路菜市场", "学府路小学门口", "滨海大道公交站", "和平路十字路口", "文化路地铁口",
         "长江路停车场", "黄河路巷子", "工业路桥下", "新华路医院对面", "胜利路商场后门", "朝阳路公园"]
START = datetime(2026, 11, 1, 9, tzinfo=UTC)
DEGREE_M = 111_320.0


def _place(index: int) -> tuple[float, float]:
    """Each case's own place, 1.5 km from every other case's, so two cases are never neighbours."""
    return 118.05 + (index % 10) * 1500 / DEGREE_M, 24.45 + (index // 10) * 1500 / DEGREE_M


def _near(rng: random.Random, lon: float, lat: float, metres: float) -> tuple[float, float]:
    return lon + rng.uniform(-metres, metres) / DEGREE_M, lat + rng.uniform(-metres, metres) / DEGREE_M


def labelled_sample(seed: int = 11) -> tuple[list[Order], set[int]]:
    """Orders and the ids of those that repeat an earlier one (the truth)."""
    rng = random.Random(seed)
    orders: list[Order] = []
    repeats: set[int] = set()

    def add(problem: int, spot: int, wording: int, at: datetime, caller: str, place: tuple[float, float],
            repeat: bool) -> None:
        category, subcategory, wordings = PROBLEMS[problem]
        # A hotline agent often files a call under its category only: then the words alone must tell.
        order = Order(len(orders) + 1, category, wordings[wording].format(spot=SPOTS[spot]), at,
                      subcategory if case % 4 else None, caller, *place)
        orders.append(order)
        if repeat:
            repeats.add(order.id)

    for case in range(60):
        problem, spot = case % len(PROBLEMS), case % len(SPOTS)
        at = START + timedelta(days=rng.uniform(0, 20))
        lon, lat = _place(case)
        caller = f"caller-{case}"
        add(problem, spot, 0, at, caller, (lon, lat), repeat=False)
        kind = case % 6
        if kind == 0:  # the caller again, other words, a few days later
            add(problem, spot, rng.choice((1, 2)), at + timedelta(days=rng.uniform(1, 6)), caller,
                _near(rng, lon, lat, 60), repeat=True)
        elif kind == 1:  # a neighbour about the same spot
            add(problem, spot, rng.choice((1, 3)), at + timedelta(days=rng.uniform(0.2, 5)), f"neighbour-{case}",
                _near(rng, lon, lat, 80), repeat=True)
        elif kind == 2:  # the same caller, another problem of the same category at the same spot: not a repeat
            other = next(i for i, p in enumerate(PROBLEMS) if p[0] == PROBLEMS[problem][0] and i != problem) \
                if sum(p[0] == PROBLEMS[problem][0] for p in PROBLEMS) > 1 else (problem + 1) % len(PROBLEMS)
            add(other, spot, 0, at + timedelta(days=2), caller, _near(rng, lon, lat, 40), repeat=False)
        elif kind == 3:  # the same words from across the city, another caller: not a repeat
            add(problem, spot, 0, at + timedelta(days=1), f"stranger-{case}", _place(case + 100), repeat=False)
        elif kind == 4:  # the same spot and problem two months on: a new case
            add(problem, spot, 1, at + timedelta(days=60), f"later-{case}", _near(rng, lon, lat, 50), repeat=False)
        else:  # the caller again twice: both repeats
            add(problem, spot, 3, at + timedelta(days=1), caller, _near(rng, lon, lat, 30), repeat=True)
            add(problem, spot, 2, at + timedelta(days=3), caller, _near(rng, lon, lat, 30), repeat=True)
    return orders, repeats


def test_precision_and_recall_on_the_labelled_sample() -> None:
    orders, truth = labelled_sample()
    found = {repeat.order for repeat in find_repeats(orders)}
    true_positives = len(found & truth)
    precision, recall = true_positives / len(found), true_positives / len(truth)
    assert precision >= 0.9 and recall >= 0.8, (precision, recall, sorted(found - truth), sorted(truth - found))


def test_a_repeat_names_the_earlier_order_and_how_it_was_matched() -> None:
    at = START
    first = Order(1, "facilities", "幸福小区东门路灯不亮，晚上一片漆黑", at, "路灯不亮", "c-1", 118.1, 24.5)
    again = Order(2, "facilities", "幸福小区东门路灯还是不亮，又打电话了", at + timedelta(days=2), "路灯不亮", "c-1",
                  118.1003, 24.5)
    neighbour = Order(3, "facilities", "幸福小区东门的路灯坏了好几天，晚上不亮", at + timedelta(days=3), "路灯不亮",
                      "c-2", 118.1, 24.5004)
    repeats = find_repeats([neighbour, again, first])  # any order in, time order out
    assert [(r.order, r.repeats, r.by) for r in repeats] == [(2, 1, "caller"), (3, 2, "place")] or \
        [(r.order, r.repeats, r.by) for r in repeats] == [(2, 1, "caller"), (3, 1, "place")]
    assert all(isinstance(r, Repeat) and r.similarity >= 55 for r in repeats)


def test_no_place_and_no_caller_is_never_a_repeat() -> None:
    text = "幸福小区东门路灯不亮"
    orders = [Order(i, "facilities", text, START + timedelta(hours=i)) for i in range(1, 4)]
    assert find_repeats(orders) == []
