"""Driving /events' AG Grid from a browser test: the rows the grid has drawn (read in one script call, so a block
arriving between a find and a read cannot leave a stale reference) and a click on a row's id cell."""

from __future__ import annotations

from typing import Any

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
