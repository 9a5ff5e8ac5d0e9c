"""Reading the page's DOM from a browser test in one script call: a panel re-rendered between a find and a read
leaves a stale element reference (it failed CI once), a read inside the page cannot."""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
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


# Scrolled to the middle, then the element's box read twice 120 ms apart: equal boxes mean no slide-in is running.
_STILL = """
const done = arguments[arguments.length - 1];
const e = document.querySelector(arguments[0]);
if (!e) { done(false); return; }
e.scrollIntoView({block: 'center'});
const box = r => [r.x, r.y, r.width, r.height].join();
const first = box(e.getBoundingClientRect());
setTimeout(() => done(e.isConnected && e.getBoundingClientRect().width > 0
                      && box(e.getBoundingClientRect()) === first), 120);
"""


def click_when_still(driver: Any, selector: str, timeout: float = 20) -> None:
    """A user's click, once the element is there, has stopped moving and nothing covers it. A click during an
    Offcanvas' slide-in can land on the neighbouring button (CI clicked 办结 for 回复 once)."""

    def clicked(d: Any) -> bool:
        try:
            if not d.execute_async_script(_STILL, selector):
                return False
            d.find_element(By.CSS_SELECTOR, selector).click()
        except (ElementClickInterceptedException, ElementNotInteractableException, NoSuchElementException,
                StaleElementReferenceException):
            return False
        return True

    WebDriverWait(driver, timeout).until(clicked)


def pick(driver: Any, dropdown: str, *names: str) -> None:
    """Choose `names` in a dropdown as a user does: open it (unless its menu is open), click each option."""
    for name in names:
        if not driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-options"):
            click_when_still(driver, dropdown)
        WebDriverWait(driver, 10).until(lambda d, wanted=name: next(
            (o for o in d.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option") if o.text == wanted), None)).click()
    if driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-options"):  # a multi-select's menu stays open
        click_when_still(driver, dropdown)  # (Escape would close the panel too)
    WebDriverWait(driver, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".dash-dropdown-options"))
