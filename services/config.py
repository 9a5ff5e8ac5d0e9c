"""One settings object, read from the environment (and a `.env` file).

Every variable is prefixed `ONESCREEN_`; DESIGN.md lists them. Defaults give the embedded demo: a SQLite file
under `./var/`, an in-process Redis, the Xiamen districts shipped in `services/data/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_CITY = DATA_DIR / "xiamen_districts.geojson"


def parse_size(text: str) -> tuple[int, int]:
    """`"3840x2160"` → (3840, 2160); a canvas smaller than 320×240 or larger than 16384 a side is refused."""
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit()):
        raise ValueError(f"canvas size {text!r} is not WIDTHxHEIGHT, e.g. 1920x1080")
    size = int(width), int(height)
    if not (320 <= size[0] <= 16384 and 240 <= size[1] <= 16384):
        raise ValueError(f"canvas size {text!r} is outside 320x240 … 16384x16384")
    return size


def parse_senders(text: str) -> dict[str, frozenset[str]]:
    """`ONESCREEN_API_SENDERS`: `name=sender|sender` entries separated by commas, e.g.
    `meteo=xmqx@xm.gov.cn|cma.gov.cn,hotline=hotline-12345` → {token name: the alert `source`s (CAP senders) it may
    send as}. A sender listed for one token belongs to it: no other token may send as it. A token left out may send
    as any sender nobody claims, as every token could before (`name:token` may do everything the API offers)."""
    found: dict[str, frozenset[str]] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, sep, senders = (part.strip() for part in entry.partition("="))
        listed = frozenset(sender.strip() for sender in senders.split("|") if sender.strip())
        if not (sep and name and listed) or name in found:
            raise ValueError(f"ONESCREEN_API_SENDERS: {entry!r} is not name=sender|sender (once per token name)")
        found[name] = listed
    return found


class Settings(BaseSettings):
    """What a deployment may change. Built once in `app.main()` and handed to `create_app`."""

    model_config = SettingsConfigDict(env_prefix="ONESCREEN_", env_file=".env", extra="ignore")

    database_url: str = Field(default="sqlite:///var/onescreen.db")
    redis_url: str | None = None
    city: Path = DEFAULT_CITY
    city_name_zh: str = "厦门市"
    city_name_en: str = "Xiamen"
    timezone: str = "Asia/Shanghai"
    lang: str = "zh-CN"
    secret_key: str = "dev-only-change-me"
    simulate: bool = True
    simulate_rate: float = Field(default=1.0, gt=0, description="pace of the live city: 1 = the seeded history's")
    stream_prefix: str = "onescreen"
    stream_maxlen: int = Field(default=100_000, gt=0)
    api_tokens: str = ""
    api_senders: str = Field(default="", description="the alert senders each token may speak for (see parse_senders)")
    wall_token: str | None = None
    admin_password: str | None = None
    host: str = "127.0.0.1"
    port: int = 8050
    # issue 6: alert storms and escalation timers
    alert_storm_minutes: float = Field(default=10, gt=0, description="same event+district+severity within this = one group")
    alert_escalate_minutes: float = Field(default=5, gt=0, description="a severe alert unacknowledged this long escalates")
    background: bool = Field(default=True, description="run the persist worker (and the simulator) in the web process")
    log_format: Literal["text", "json"] = "text"
    # issue 7: the wall's design canvas (`/wall?size=…&fit=…&rotate=…` override them per screen)
    wall_size: str = Field(default="1920x1080", description="design canvas WIDTHxHEIGHT in CSS pixels")
    wall_fit: Literal["fit", "fill", "width"] = "fit"
    # issue 19: department data in (the push APIs)
    ngsi_mapping: Path = Field(default=DATA_DIR / "ngsi_mapping.toml",
                               description="FIWARE NGSI entity type + attribute -> indicator code, and the area")
    ingest_max_bytes: int = Field(default=256 << 20, gt=0, description="the largest body a push API takes")
    wall_rotate_seconds: float = Field(default=15, ge=3, le=3600, description="focus panel: seconds per topic")
    # issue 19: the sources file (pull connectors and declared push sources, services/sources/spec.py)
    sources: Path = DATA_DIR / "sources.yaml"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai") from exc
        return value

    @field_validator("api_senders")
    @classmethod
    def _senders(cls, value: str) -> str:
        parse_senders(value)
        return value

    @field_validator("wall_size")
    @classmethod
    def _canvas_size(cls, value: str) -> str:
        parse_size(value)
        return value

    @field_validator("lang")
    @classmethod
    def _known_lang(cls, value: str) -> str:
        if value not in ("zh-CN", "en"):
            raise ValueError("ONESCREEN_LANG must be zh-CN or en")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def alerts_stream(self) -> str:
        return f"{self.stream_prefix}:alerts"

    @property
    def dead_letter_stream(self) -> str:
        return f"{self.stream_prefix}:alerts:dead"
