"""The city pack (DESIGN.md, "City pack"): one folder per city holding its districts, departments, matters,
indicators, event categories, emergency routing, the hotline's time limits, first users, provisioned screens and
playlists, read and checked as a whole (`load_pack`, `check_pack`; `python -m services.citypack check DIR`)."""

from __future__ import annotations

from services.citypack.emergency import EmergencyRouting
from services.citypack.hotline_limits import URGENCIES, HotlineLimits, LimitRow, Span
from services.citypack.pack import Area, CityPack, FirstUser, PackError, check_pack, load_pack
from services.citypack.screens import (
           KINDS,
           Box,
           Panel,
           Playlist,
           Screen,
           Tiling,
           Topic,
           screen_boxes,
           tile_box,
)
from services.citypack.summary import CATALOGS, PackSummary, pack_summary

__all__ = ["CATALOGS", "KINDS", "URGENCIES", "Area", "Box", "CityPack", "EmergencyRouting", "FirstUser",
           "HotlineLimits", "LimitRow", "PackError", "PackSummary", "Panel", "Playlist", "Screen", "Span", "Tiling",
           "Topic", "check_pack", "load_pack", "pack_summary", "screen_boxes", "tile_box"]
