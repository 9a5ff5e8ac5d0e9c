"""`data-*` and `aria-*` attributes for Dash html components, which take them only as keyword arguments with
dashes."""

from __future__ import annotations

from typing import Any


def data_attributes(**values: str) -> dict[str, Any]:
    """`alert_id="1-0"` → `{"data-alert-id": "1-0"}`: the stable hooks kiosk tooling and tests select on."""
    return {"data-" + name.replace("_", "-"): value for name, value in values.items()}


def aria_attributes(**values: str | None) -> dict[str, Any]:
    """`label="Next page"` → `{"aria-label": "Next page"}`: what screen readers announce; None leaves one out."""
    return {"aria-" + name: value for name, value in values.items() if value is not None}
