"""The demo city's flood plan and a store holding what activating it needs: the districts, the plan's departments,
and a severe rainstorm alert persisted by the real worker."""

from __future__ import annotations

from pathlib import Path

import redis
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from services.access import Principal, Role, Scope
from services.citypack import CityPack, load_pack
from services.config import Settings
from services.store import Department
from tests.services.alerts.data import add_districts, alert, persist

ROOT = Path(__file__).resolve().parents[3]
OPERATOR = Principal("op1", Role.OPERATOR)
ELSEWHERE = Principal("op2", Role.OPERATOR, Scope.of(["350206"]))


def demo_pack() -> CityPack:
    return load_pack(ROOT / "citypacks" / "xiamen")


def flood_alert(alert_id: str = "RAIN-1", **changes: str) -> dict[str, str]:
    return alert(alert_id, **{"event": "暴雨", "district": "350203", "headline": "暴雨橙色预警：城区出现严重内涝",
                              **changes})


def stored_flood_alert(settings: Settings, engine: Engine, client: redis.Redis, pack: CityPack) -> int:
    """The store with districts and every department of the pack; a persisted flood alert's primary key."""
    add_districts(engine)
    with engine.begin() as connection:
        connection.execute(insert(Department), [{"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en,
                                                 "kind": d.kind} for d in pack.catalogs.departments])
    return persist(settings, engine, client, flood_alert())["RAIN-1"].id


def session_of(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)
