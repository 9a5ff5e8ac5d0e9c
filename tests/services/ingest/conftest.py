"""The ingest services on both backends, with the shipped catalogs and the Xiamen districts installed."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from services.config import DEFAULT_CITY
from services.geo import City, load_city
from services.store.catalog import install_catalog


@pytest.fixture(scope="session")
def city() -> City:
    return load_city(DEFAULT_CITY)


@pytest.fixture
def store(session: Session, city: City) -> Session:
    """The session, on a store holding the catalogs (departments, indicators, matters) and the districts."""
    install_catalog(session, districts=city.rows())
    return session
