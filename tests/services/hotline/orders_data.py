"""One work order as the hotline agents' system sends it, and who works on it, for the order tests."""

from __future__ import annotations

from datetime import UTC, datetime

from services.access import Principal, Role, Scope
from services.citypack import HotlineLimits
from services.store.catalog import load_categories

CATEGORIES = load_categories()  # the default pack's
LIMITS = HotlineLimits()  # urgent 2 h / 24 h, ordinary 5 working days, in Asia/Shanghai
SECRET = "test-secret"
TAKEN = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # Tuesday 09:30 in the city
OPERATOR = Principal("op1", Role.OPERATOR)
WATER = Principal("water1", Role.OPERATOR, Scope.of(departments=["water"]))
ROW = {"external_id": "12345-0001", "channel": "phone", "urgency": "ordinary", "category": "water",
       "subcategory": "停水", "title": "小区停水", "description": "幸福小区3号楼停水一天了", "lon": 118.0894,
       "lat": 24.4798, "reporter_name": "张三", "reporter_phone": "13812341234",
       "reported_at": "2026-12-01T09:30:00+08:00"}
