"""The city's administrative areas and its departments (loaded from the catalog)."""

from __future__ import annotations

from sqlalchemy import (
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base


class District(Base):
    __tablename__ = "districts"
    adcode: Mapped[str] = mapped_column(String(12), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    geometry: Mapped[str] = mapped_column(Text, doc="GeoJSON geometry, WGS84")


class Department(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    kind: Mapped[str] = mapped_column(String(32))
