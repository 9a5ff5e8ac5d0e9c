"""Driving /events' AG Grid from a browser test: the rows the grid has drawn (read in one script call, so a block
arriving between a find and a read cannot leave a stale reference), a click on a row's id cell, and opening an
event's detail panel with it."""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

from tests.dashboards.dom import click_when_still

_ROWS = """
return Array.from(document.querySelectorAll('#events-table .ag-center-cols-container .ag-row[row-id]'))
  .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
  .map(row => Object.fromEntries(Array.from(row.querySelectorAll('.ag-cell[col-id]'),
                                            cell => [cell.getAttribute('col-id'), cell.textContent])));
"""


def grid_rows(driver: Any) -> list[dict[str, str]]:
    """The rows the events grid shows, in their order, as {column: text}."""
    return list(driver.execute_script(_ROWS))


def wait_for_rows(driver: Any, timeout: float = 30) -> list[dict[str, str]]:
    """The grid's rows once its first block has arrived (ids filled in)."""
    WebDriverWait(driver, timeout).until(lambda d: any(row.get("id") for row in grid_rows(d)))
    return grid_rows(driver)


def click_event(dash_duo: Any, event_id: str) -> None:
    """A click on the event's id cell, as a user would (scrolled into view, once the grid holds still)."""
    click_when_still(dash_duo.driver, f'#events-table .ag-row[row-id="{event_id}"] .ag-cell[col-id="id"]')


def open_event(dash_duo: Any, event_id: str, status: str | None = None, timeout: float = 30) -> None:
    """A click on the event's row, until the detail panel shows it (in `status` when given). A user whose click
    did not take clicks again; so does this, once the panel has not answered a click in a third of `timeout` (CI
    lost one such click under load: the panel stayed empty for 15 s)."""
    heading = f'#event-detail-body h3[data-event-id="{event_id}"]'
    if status is not None:
        heading += f'[data-status="{status}"]'
    for attempt in range(3):
        click_event(dash_duo, event_id)
        try:
            dash_duo.wait_for_element(heading, timeout=timeout / 3)
            return
        except TimeoutException:
            if attempt == 2:
                raise
