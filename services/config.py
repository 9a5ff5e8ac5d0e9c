"""One settings object, read from the environment (and a `.env` file).

Every variable is prefixed `ONESCREEN_`; DESIGN.md lists them. Defaults give the embedded demo: a SQLite file
under `./var/`, an in-process Redis, the default city pack shipped in `citypacks/` (the demo city).

What makes a deployment one city rather than another comes from its city pack (`ONESCREEN_CITY_PACK`,
services/citypack/): the settings below that name the city (names, time zone, districts file, sources file, NGSI
mapping) default to the pack's own files and `city.toml`, so a deployment sets only the pack.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(__file__).resolve().parent / "data"  # what every city shares: the CAP schema, the password list
PACKS_DIR = Path(__file__).resolve().parent.parent / "citypacks"
DEFAULT_PACK = PACKS_DIR / "xiamen"  # the demo city, the one pack that ships with the code
# Settings that default to a file of the pack (field -> file name in the pack folder).
PACK_FILES = {"city": "districts.geojson", "sources": "sources.yaml", "ngsi_mapping": "ngsi_mapping.toml"}
# Settings that default to a value of the pack's city.toml (field -> key of its [city] table).
PACK_VALUES = {"city_name_zh": "name_zh", "city_name_en": "name_en", "timezone": "timezone"}
DEFAULT_CITY = DEFAULT_PACK / PACK_FILES["city"]


def pack_city_table(pack: Path) -> dict[str, Any]:
    """The `[city]` table of a pack's city.toml, or {} when it cannot be read (the pack check reports why)."""
    try:
        table = tomllib.loads((pack / "city.toml").read_text(encoding="utf-8")).get("city", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return table if isinstance(table, dict) else {}


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
    `meteo=weather@meteo.example.gov.cn|cma.gov.cn,hotline=hotline-12345` → {token name: the alert `source`s (CAP
    senders) it may send as}. A sender listed for one token belongs to it: no other token may send as it. A token
    left out may send as any sender nobody claims, as every token could before (`name:token` may do everything the
    API offers)."""
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
    city_pack: Path = Field(default=DEFAULT_PACK, description="the city pack folder (services/citypack/)")
    city: Path = Field(default=DEFAULT_CITY, description="districts GeoJSON; default: the pack's")
    city_name_zh: str = ""  # default: the pack's city.toml
    city_name_en: str = ""
    timezone: str = "Asia/Shanghai"  # default: the pack's city.toml
    lang: str = "zh-CN"
    secret_key: str = "dev-only-change-me"
    simulate: bool = True
    hotline_readings: bool = Field(default=True, description="derive the 12345 indicators from the stored work "
                                   "orders and calls (services/hotline/readings.py); off where the 12345 platform "
                                   "pushes its own readings")
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
    ngsi_mapping: Path = Field(default=DEFAULT_PACK / PACK_FILES["ngsi_mapping"],
                               description="FIWARE NGSI entity type + attribute -> indicator code, and the area")
    ingest_max_bytes: int = Field(default=256 << 20, gt=0, description="the largest body a push API takes")
    wall_rotate_seconds: float = Field(default=15, ge=3, le=3600, description="focus panel: seconds per topic")
    # issue 18: the wall's pop-up for extreme and severe alerts closes itself after this (and on acknowledgement)
    wall_popup_seconds: float = Field(default=30, ge=1, le=3600, description="seconds an alert pop-up stays open")
    # issue 19: the sources file (pull connectors and declared push sources, services/sources/spec.py)
    sources: Path = DEFAULT_PACK / PACK_FILES["sources"]
    # issue 23: the scheduled briefings of the pack's briefings.toml (services/briefing/delivery.py)
    briefings: bool = Field(default=True, description="make and deliver the pack's scheduled briefings")
    # issue 22: notifications out (services/notify): the SMTP server the pack's e-mail contacts go through; webhook
    # URLs (they carry their keys) are read from the variables the pack's notify.toml names
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = Field(default=None, description="never logged, never shown")
    smtp_sender: str = "onescreen@localhost"
    smtp_starttls: bool = False
    # issue 22: the wall switches to incident mode while a response at this level or higher (I highest) is active
    incident_level: Literal["I", "II", "III", "IV"] = Field(default="III", description="lowest level the wall shows")

    @model_validator(mode="before")
    @classmethod
    def _from_pack(cls, data: Any) -> Any:
        """Fill what names the city from the pack, unless the deployment set it."""
        if not isinstance(data, dict):
            return data
        given = {key.lower() for key in data}
        pack = Path(data.get("city_pack") or DEFAULT_PACK)
        filled = dict(data)
        for name, file in PACK_FILES.items():
            if name not in given:
                filled[name] = pack / file
        table = pack_city_table(pack)
        for name, key in PACK_VALUES.items():
            if name not in given and isinstance(table.get(key), str):
                filled[name] = table[key]
        return filled

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
