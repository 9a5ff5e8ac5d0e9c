"""督办 is tried on hotline work orders: the hotline tests' store and order."""

from tests.services.hotline.conftest import city, order, store  # noqa: F401 (fixtures)
