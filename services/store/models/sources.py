"""The data-source registry (一网共享): every system that delivers data, what it delivered and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base, UTCDateTime


class DataSource(Base):
    """One source: a push token or a pull connector (declared in the sources file), or the demo simulator."""

    __tablename__ = "data_sources"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    department: Mapped[str | None] = mapped_column(String(32), doc="owner department code")
    kind: Mapped[str] = mapped_column(String(16), doc="push | sql | http | file | simulator")
    target: Mapped[str] = mapped_column(String(32), doc="events | readings | applications, space-separated")
    cadence_s: Mapped[int | None] = mapped_column(Integer, doc="expected seconds between deliveries")
    indicators: Mapped[str] = mapped_column(Text, default="", doc="indicator codes it feeds, space-separated")
    cursor: Mapped[str | None] = mapped_column(Text, doc="a connector's position, kept with the rows it covers")
    last_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SourceVolume(Base):
    """Rows a source delivered in one UTC hour for one target: the exchange volume and the refusals."""

    __tablename__ = "source_volumes"
    source_id: Mapped[str] = mapped_column(ForeignKey("data_sources.id", ondelete="CASCADE"), primary_key=True)
    target: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    deliveries: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_source_volumes_hour", "hour"),)  # the monitor's day and week sums read by hour


class SourceFile(Base):
    """A dropped file a connector has stored, by content digest: a file seen again is never loaded twice."""

    __tablename__ = "source_files"
    source_id: Mapped[str] = mapped_column(ForeignKey("data_sources.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
