"""What citizens say to the 12345 hotline, made up for the demo city and the tests: a complaint names a district, a
road and a spot, the problem (one of the pack's subcategories, in the words people use) and why it matters.

Roads and spots are the kind every Chinese city has (人民路, 地铁口), not one city's; districts come from the pack.
A burst (a topic everybody calls about this week) is a phrase and its share of the week's calls.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

ROADS = ("人民路", "建设路", "解放路", "文化路", "新华路", "和平路", "胜利路", "朝阳路", "学府路",
         "滨海大道", "长江路", "黄河路", "工业路", "幸福路")
SPOTS = ("小区门口", "菜市场旁", "学校附近", "公交站旁", "地铁口", "公园东门", "医院对面", "商场后门",
         "十字路口", "桥下", "停车场", "巷子里")
WHY = ("已经持续三天了", "晚上吵得睡不着", "老人小孩出行很不方便", "存在安全隐患", "之前打过电话还没解决",
       "味道很大", "车辆无法通行", "影响周边商户经营", "下雨天更严重", "这周第二次了")
ASKS = ("请尽快派人处理", "希望相关部门管一管", "请给个答复", "麻烦核实一下", "请加强巡查")


@dataclass(frozen=True)
class Burst:
    """A topic that suddenly fills the lines: its phrase and its share of the week's calls."""

    phrase: str
    share: float


def complaint(rng: random.Random, problem: str, district: str) -> str:
    """One call's text: where, what, why, and what the caller asks."""
    return f"{district}{rng.choice(ROADS)}{rng.choice(SPOTS)}{problem}，{rng.choice(WHY)}，{rng.choice(ASKS)}。"


def week_of_calls(rng: random.Random, count: int, problems: Sequence[str], districts: Sequence[str],
                  burst: Burst | None = None) -> list[str]:
    """`count` complaint texts over the pack's `problems`; with a burst, its share of them are about its phrase."""
    bursting = round(count * burst.share) if burst else 0
    texts = [complaint(rng, rng.choice(problems), rng.choice(districts)) for _ in range(count - bursting)]
    if burst:
        texts += [complaint(rng, burst.phrase, rng.choice(districts)) for _ in range(bursting)]
        rng.shuffle(texts)
    return texts
