"""Hot topics: on a week of the demo city's calls with a burst, the burst's phrase is a top-3 topic; words every
complaint has never are; the segmenter keeps the pack's own phrases whole; and the score favours the new."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest

from services.citypack import load_pack
from services.config import DEFAULT_PACK
from services.demo.hotline_texts import Burst, week_of_calls
from services.hotline.topics import Topic, _segmenter, forget, hot_topics, learn, stop_words, terms

PACK = load_pack(DEFAULT_PACK)
PROBLEMS = [name for category in PACK.catalogs.categories for name in category.subcategories]
DISTRICTS = list(PACK.city.names().values())


@pytest.fixture(autouse=True)
def untaught() -> Iterator[None]:
    """`learn` teaches the process's one segmenter, which the repeat finder cuts with too: each test's lessons end
    with it (the repeats' recall on its labelled sample fell to 0.75 after these tests, when they ran first)."""
    yield
    _segmenter.cache_clear()
    forget()


def _weeks(burst: Burst, calls: int = 3_000, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    return week_of_calls(rng, calls, PROBLEMS, DISTRICTS, burst), week_of_calls(rng, calls, PROBLEMS, DISTRICTS)


def test_the_bursting_phrase_ranks_in_the_top_three_on_a_seeded_week() -> None:
    learn(PROBLEMS)
    for phrase in ("共享单车乱停放", "电梯困人", "桥下积水"):
        learn([phrase])
        this_week, last_week = _weeks(Burst(phrase, share=0.05))
        ranked = [topic.term for topic in hot_topics(this_week, last_week, top=3, ignore=frozenset(DISTRICTS))]
        assert phrase in ranked, (phrase, ranked)


def test_without_a_burst_only_sampling_noise_rises() -> None:
    rng = random.Random(3)
    this_week = week_of_calls(rng, 3_000, PROBLEMS, DISTRICTS)
    last_week = week_of_calls(rng, 3_000, PROBLEMS, DISTRICTS)
    rising = hot_topics(this_week, last_week, min_count=30)
    assert rising and all(topic.count < 1.5 * topic.previous for topic in rising)  # a burst is 0 → 150


def test_stop_words_and_place_names_are_never_topics() -> None:
    this_week, last_week = _weeks(Burst("共享单车乱停放", share=0.05))
    every = {topic.term for topic in hot_topics(this_week, last_week, top=500, min_count=1,
                                                ignore=frozenset(DISTRICTS))}
    assert not every & stop_words() and not every & set(DISTRICTS)
    assert terms("市民反映附近问题") == set()  # nothing but stop words


def test_the_score_prefers_a_new_term_to_a_big_old_one() -> None:
    this_week = ["电梯困人"] * 40 + ["噪声扰民"] * 340 + ["路灯不亮"] * 620
    last_week = ["噪声扰民"] * 300 + ["路灯不亮"] * 700  # as many calls: 噪声扰民 rose by 40 too
    learn(["电梯困人", "噪声扰民", "路灯不亮"])
    ranked = hot_topics(this_week, last_week, min_count=5)
    assert ranked[0] == Topic("电梯困人", 40, 0, ranked[0].score) and ranked[0].score > ranked[1].score


def test_a_week_of_fifty_thousand_calls_is_ranked_well_within_the_budget() -> None:
    """The issue's budget is 5 s for 50 000 orders (bench/hotline.py measures it); here only that it finishes
    and gives the burst, a test is no stopwatch."""
    this_week, last_week = _weeks(Burst("电梯困人", share=0.02), calls=50_000)
    learn(["电梯困人"])
    started = time.perf_counter()
    ranked = hot_topics(this_week, last_week, top=3, ignore=frozenset(DISTRICTS))
    assert "电梯困人" in [topic.term for topic in ranked], (ranked, time.perf_counter() - started)
