"""Hot topics (热点话题) of the hotline: the words citizens use this week that they did not use last week.

Texts are cut into words with jieba (the standard Chinese segmenter: a dictionary plus an HMM for unknown words),
taught the city pack's own vocabulary (its subcategories: 共享单车乱停放 stays one term, not 共享 / 单车 / 停放);
a stop list drops the words every complaint has (反映, 市民, 附近 …) and the caller passes the words to ignore
(the city's place names). A term's rise is scored as the surprise of its count against last week's, scaled to this week's
volume: count × ln((count + 1) / (expected + 1)), so a term that went from 0 to 40 outranks one that went from 300
to 340, and a term said twice is not a topic however new (`min_count`).

Segmenting is the cost (a week of 50 000 orders took jieba some 9 s). jieba cuts a text block by block, a block
being a run of CJK letters and digits between punctuation, each on its own; so the words of each block are cached
(`BLOCKS` of them), as are each text's terms: the clauses citizens repeat (存在安全隐患, 请尽快派人处理) and a
text seen by the previous refresh are cut once: the same words as cutting every text whole, at a fraction of the time.
The store keeps each order's terms, cut on arrival (services/hotline/terms.py), stamped with `stamp()`: the
segmentation that cut them (jieba's version, the stop list, the phrases taught), so a change re-cuts them.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jieba

STOP_WORDS_FILE = Path(__file__).with_name("stopwords.txt")
BLOCKS = 500_000  # cached blocks: a few weeks of a busy hotline's distinct clauses, some 100 MB at most
_WORD = re.compile(r"^[\u3400-\u9fffA-Za-z][\u3400-\u9fffA-Za-z0-9]+$")  # two or more, not a number alone


@dataclass(frozen=True)
class Topic:
    term: str
    count: int  # orders this week that use it
    previous: int  # orders last week that used it
    score: float


@cache
def stop_words() -> frozenset[str]:
    """The shipped stop list: function words and the words every hotline text has (one per line, # comments)."""
    lines = STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if (word := line.split("#")[0].strip()))


@cache
def _segmenter() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not our log's business
    segmenter = jieba.Tokenizer()
    segmenter.taught = set()  # the phrases `learn` added: part of `stamp()`
    return segmenter


def learn(vocabulary: Iterable[str]) -> None:
    """Keep these phrases whole when cutting (idempotent; the segmenter is shared by the process)."""
    segmenter = _segmenter()
    for phrase in vocabulary:
        if phrase and phrase not in segmenter.FREQ:
            segmenter.add_word(phrase, freq=segmenter.suggest_freq(phrase, tune=False) + 1)
            segmenter.taught.add(phrase)
            forget()  # a new word may cut a cached block differently


def forget() -> None:
    """Empty the segmentation cache (a bench measures the first, uncached run with it)."""
    _block_words.cache_clear()
    _text_terms.cache_clear()


def stamp() -> str:
    """Which segmentation cuts texts now: a digest of jieba's version, the stop list and the phrases taught. Terms
    stored under another stamp were cut differently and are cut again when read."""
    return _digest(frozenset(_segmenter().taught))


@cache
def _digest(taught: frozenset[str]) -> str:
    said = "\n".join((jieba.__version__, *sorted(stop_words()), "", *sorted(taught)))
    return hashlib.sha1(said.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=BLOCKS)
def _block_words(block: str) -> tuple[str, ...]:
    """The words of one block worth counting (stop words dropped; the caller's `ignore` is applied after)."""
    stop = stop_words()
    return tuple(word for word in _segmenter().lcut(block) if _WORD.match(word) and word not in stop)


@lru_cache(maxsize=BLOCKS)
def _text_terms(text: str, ignore: frozenset[str]) -> frozenset[str]:
    """A text's terms, kept: the next refresh counts the same week again."""
    return frozenset(word for word in words(text) if word not in ignore)


def words(text: str) -> set[str]:
    """A text's terms, uncached (a text stored with its terms is cut once: keeping it would only crowd the cache)."""
    return {word for block in jieba.re_han_default.findall(text) for word in _block_words(block)}


def terms(text: str, ignore: frozenset[str] = frozenset()) -> set[str]:
    """The distinct words of one text worth counting: its blocks' words (as jieba splits a text into blocks)."""
    return set(_text_terms(text or "", ignore))


def document_counts(texts: Iterable[str], ignore: frozenset[str] = frozenset()) -> Counter[str]:
    """How many texts use each term (a caller repeating a word in one complaint counts once)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_text_terms(text or "", ignore))
    return counts


def hot_topics(this_week: Sequence[str], last_week: Sequence[str], *, top: int = 10, min_count: int = 5,
               ignore: frozenset[str] = frozenset()) -> list[Topic]:
    """The `top` terms rising most against last week, highest score first."""
    return rising(document_counts(this_week), len(this_week), document_counts(last_week), len(last_week), top=top,
                  min_count=min_count, ignore=ignore)


def rising(now: Counter[str], texts: int, before: Counter[str], texts_before: int, *, top: int = 10,
           min_count: int = 5, ignore: frozenset[str] = frozenset()) -> list[Topic]:
    """`hot_topics` from the weeks' document counts (`now` over `texts` texts, `before` over `texts_before`):
    the `top` terms rising most, `ignore` left out."""
    scale = texts / texts_before if texts_before else 1.0
    topics = []
    for term, count in now.items():
        if count < min_count or term in ignore:
            continue
        expected = before.get(term, 0) * scale
        score = count * math.log((count + 1) / (expected + 1))
        if score > 0:
            topics.append(Topic(term, count, before.get(term, 0), round(score, 3)))
    return sorted(topics, key=lambda topic: (-topic.score, topic.term))[:top]
