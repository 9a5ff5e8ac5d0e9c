"""The city pack (DESIGN.md, "City pack"): one folder per city holding its districts, departments, matters,
indicators, event categories, emergency routing and first users, read and checked as a whole (`load_pack`,
`check_pack`; `python -m services.citypack check DIR`)."""

from __future__ import annotations

from services.citypack.emergency import EmergencyRouting
from services.citypack.pack import Area, CityPack, FirstUser, PackError, check_pack, load_pack

__all__ = ["Area", "CityPack", "EmergencyRouting", "FirstUser", "PackError", "check_pack", "load_pack"]
