"""The hotline's services on both backends, with the shipped catalogs and the default city installed, and one
work order taken."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.config import DEFAULT_CITY
from services.geo import City, load_city
from services.hotline import take_orders
from services.store import WorkOrder
from services.store.catalog import install_catalog
from tests.services.hotline.orders_data import CATEGORIES, LIMITS, ROW, SECRET


@pytest.fixture(scope="session")
def city() -> City:
    return load_city(DEFAULT_CITY)


@pytest.fixture
def store(session: Session, city: City) -> Session:
    """The session, on a store holding the catalogs and the districts."""
    install_catalog(session, districts=city.rows())
    return session


@pytest.fixture
def order(store: Session, city: City) -> int:
    """One ordinary order taken by the hotline's agents, registered; its id."""
    report = take_orders(store, [ROW], source="hotline-12345", city=city, categories=CATEGORIES, limits=LIMITS,
                         secret_key=SECRET)
    assert report.refused == []
    store.commit()
    order_id = store.scalar(select(WorkOrder.event_id))
    assert order_id is not None
    return order_id
