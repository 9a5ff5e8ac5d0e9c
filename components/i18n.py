"""Interface text in Chinese (default) and English. Every key must exist in both languages (a test checks)."""

from __future__ import annotations

from collections.abc import Mapping

CATALOG: Mapping[str, Mapping[str, str]] = {
    "zh-CN": {
        "wall.title": "城市运行一屏统览",
        "wall.kpis": "城市运行体征",
        "wall.map": "事件态势",
        "wall.approvals": "政务服务办件量（近24小时）",
        "wall.alerts": "实时预警",
        "wall.as_of": "数据时间",
        "wall.no_alerts": "暂无预警",
        "conn.live": "实时",
        "conn.reconnecting": "重连中",
        "conn.offline": "离线",
        "map.open": "在办事件",
        "map.overdue": "超期",
        "approvals.received": "受理",
        "approvals.completed": "办结",
        "kpi.no_data": "无数据",
        "kpi.vs_yesterday": "较昨日",
        "kpi.stale": "数据滞后",
    },
    "en": {
        "wall.title": "City Operations at a Glance",
        "wall.kpis": "City vital signs",
        "wall.map": "Incidents",
        "wall.approvals": "Government service applications (last 24 h)",
        "wall.alerts": "Live alerts",
        "wall.as_of": "As of",
        "wall.no_alerts": "No alerts",
        "conn.live": "Live",
        "conn.reconnecting": "Reconnecting",
        "conn.offline": "Offline",
        "map.open": "Open events",
        "map.overdue": "Overdue",
        "approvals.received": "Received",
        "approvals.completed": "Completed",
        "kpi.no_data": "No data",
        "kpi.vs_yesterday": "vs yesterday",
        "kpi.stale": "stale",
    },
}


def translator(lang: str) -> Mapping[str, str]:
    """The catalog of `lang`, falling back to Chinese for an unknown language."""
    return CATALOG.get(lang, CATALOG["zh-CN"])
