"""The indicator catalog and its readings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base, BigId, UTCDateTime


class Indicator(Base):
    __tablename__ = "indicators"
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    domain: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8), doc="'higher' is better or 'lower' is better")
    warn: Mapped[float | None] = mapped_column(Float)
    alarm: Mapped[float | None] = mapped_column(Float)
    source_department: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    cadence_minutes: Mapped[int] = mapped_column(Integer, default=5)


class IndicatorReading(Base):
    """One value of an indicator for the city or a district at a moment. A time series written by the hundred
    thousand: its codes are checked on the way in (`record_readings`, the one path every reading takes) instead of
    by foreign keys, whose per-row triggers cost 60 % of a bulk COPY (migration 0018)."""

    __tablename__ = "indicator_readings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    indicator_code: Mapped[str] = mapped_column(String(48), doc="an indicators.code")
    district: Mapped[str | None] = mapped_column(String(12), doc="a districts.adcode; null = the whole city")
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    value: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_readings_code_district_ts", "indicator_code", "district", "ts"),)
