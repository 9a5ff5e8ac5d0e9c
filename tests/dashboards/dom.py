"""Reading the page's DOM from a browser test in one script call: a panel re-rendered between a find and a read
leaves a stale element reference (it failed CI once), a read inside the page cannot."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.support.ui import WebDriverWait


def text_of(driver: Any, selector: str) -> str:
    """The first match's text content ('' when absent), in view or not."""
    return str(driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector))


def texts_of(driver: Any, selector: str) -> list[str]:
    """Every match's text content, in document order."""
    return list(driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent);", selector))


def data_of(driver: Any, selector: str, key: str) -> str | None:
    """A `data-*` attribute of the first match (`key` in dataset form, e.g. 'state'), None when absent."""
    return driver.execute_script(  # type: ignore[no-any-return]
        "const e = document.querySelector(arguments[0]); return e ? (e.dataset[arguments[1]] ?? null) : null;",
        selector, key)


def settle(driver: Any, timeout: float = 20) -> None:
    """Until the page has loaded and no Dash callback is in flight (its data has arrived)."""
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !document.querySelector('[data-dash-is-loading=\"true\"]');"))
