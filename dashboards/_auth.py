"""The caller of a page or callback, and the checks pages make with it.

- `current_principal()`: who is asking. The security middleware (api/security.py) binds the caller for every
  HTTP request and for the life of a websocket; Dash runs callbacks in copies of that context, so this works in
  HTTP callbacks, websocket callbacks and persistent ones alike. No caller bound is a bug: it raises.
- `require(*actions_or_roles)`: the caller, if they hold any of the actions (services/access.Action) or roles
  named; otherwise `Forbidden`. Call it first in every callback that changes something.
- `guard_pages(app)`, `callback_guard(app)`, `install_websocket_guard()`: wired by `create_app`, they close every
  page's layout and callbacks to callers the role table does not let open that page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dash
from dash import _callback, html

from components.i18n import translator
from components.lang_switch import language_switch
from services.access import Action, Principal, Role, bind_caller, current_caller, unbind_caller

# Dash's websocket message hook: (websocket, message) -> True to go on, or (close code, reason).
WebsocketCheck = Callable[[Any, dict[str, Any]], Awaitable[bool | tuple[int, str]]]


class Forbidden(PermissionError):
    """The caller may not do this; Dash reports it as a callback error and nothing is changed."""


class NotSignedIn(RuntimeError):
    """No caller is bound: a layout or callback ran outside a request the middleware admitted."""


def current_principal() -> Principal:
    principal = current_caller()
    if principal is None:
        raise NotSignedIn("no signed-in caller: is the request going through the security middleware?")
    return principal


def require(*needed: Action | Role) -> Principal:
    """The caller, when they hold any of the actions or roles in `needed`; else Forbidden naming them."""
    principal = current_principal()
    if any(principal.role is item if isinstance(item, Role) else principal.may(item) for item in needed):
        return principal
    raise Forbidden(f"{principal.username} ({principal.role}) may not: {', '.join(map(str, needed))}")


@contextmanager
def as_principal(principal: Principal) -> Iterator[Principal]:
    """Run a layout or callback function as `principal` outside a request (unit tests, scripts)."""
    token = bind_caller(principal)
    try:
        yield principal
    finally:
        unbind_caller(token)


_PAGE_OF_CALLBACK: dict[str, str] = {}  # callback key -> page module, for callbacks a helper module registers


def register_for_page(page_module: str, register: Callable[[], None]) -> None:
    """Run a helper module's `register_callbacks` on behalf of the page `page_module` (its `__name__`): the callbacks
    it adds are that page's for the callback guard, as if the page had declared them itself.

    A helper's callbacks are wired by its `register_callbacks()`, which its page passes here when Dash runs the
    page, once per app: callbacks registered at the helper's import would reach only the first app built in the
    process (Dash's callback list is process-wide and the first app to serve takes it)."""
    before = set(_callback.GLOBAL_CALLBACK_MAP)
    register()
    for key in set(_callback.GLOBAL_CALLBACK_MAP) - before:
        _PAGE_OF_CALLBACK[key] = page_module


def _page_path(module: str) -> str | None:
    page = dash.page_registry.get(module)
    return None if page is None else str(page["path"])


def callback_module(app: dash.Dash, output: str) -> str:
    """The module a server callback belongs to: the page that registered it through `register_for_page`, else the
    module of its function ("" for an unknown callback, such as Dash's page router before the first request)."""
    spec = app.callback_map.get(output, {})
    return _PAGE_OF_CALLBACK.get(output) or str(getattr(spec.get("callback"), "__module__", ""))


def callback_guard(app: dash.Dash) -> Callable[[Principal, str], str | None]:
    """(caller, output id) -> why the callback is refused, or None: a page's callbacks are the page's. A callback of
    ours that belongs to no page is refused to everyone, so a helper module's callback is never left unguarded."""

    def refusal(principal: Principal, output: str) -> str | None:
        module = callback_module(app, output)
        path = _page_path(module)
        if path is None and module.startswith("dashboards."):
            return f"the callback {output} belongs to no page"
        if path is not None and not principal.may_open(path):
            return f"the {principal.role} role may not use the page {path}"
        return None

    return refusal


def _forbidden_layout(lang: str | None = None, **_query: Any) -> html.Div:
    """What the page router shows instead of a closed page, in the address's language, with the way home."""
    lang = "en" if lang == "en" else "zh-CN"
    text = translator(lang)
    return html.Div([html.P(text["auth.forbidden"], id="forbidden", className="alert alert-warning"),
                     html.A(text["auth.home"], href="/", className="btn btn-outline-info")],
                    className="container py-4", lang=lang)


def guard_pages() -> None:
    """Wrap each registered page's layout so Dash's page router renders it only for callers who may open it
    (client-side navigation goes through the router callback, not through the middleware's page check)."""
    for page in dash.page_registry.values():
        layout = page["layout"]
        if getattr(layout, "_onescreen_guarded", False) or not callable(layout):
            continue

        def guarded(*args: Any, _layout: Callable[..., Any] = layout, _path: str = page["path"], **kwargs: Any) -> Any:
            caller = current_caller()
            if caller is None or not caller.may_open(_path):
                return _forbidden_layout(**kwargs)
            return _layout(*args, **kwargs)

        guarded._onescreen_guarded = True  # type: ignore[attr-defined]
        page["layout"] = guarded


_WS_GUARD_INSTALLED = False


def install_websocket_guard() -> None:
    """Over the websocket too: on every message, the session must still be valid (a sign-out or a disabled account
    closes a page's socket within the gate's cache time) and a callback must belong to a page the caller may open.
    Dash's hooks are process-wide, so this is installed once whatever the number of apps."""
    global _WS_GUARD_INSTALLED
    if _WS_GUARD_INSTALLED:
        return
    _WS_GUARD_INSTALLED = True

    on_message: Callable[[WebsocketCheck], WebsocketCheck] = dash.hooks.websocket_message()  # Dash's hook is untyped

    @on_message
    async def _check(websocket: Any, message: dict[str, Any]) -> bool | tuple[int, str]:
        state = websocket.scope["app"].state
        principal = await state.gate.principal(dict(websocket.cookies))
        if principal is None:
            return (4401, "signed out")
        if message.get("type") != "callback_request":
            return True
        denial = state.callback_guard(principal, str(message.get("payload", {}).get("output", "")))
        return True if denial is None else (4403, denial)


def logout_button(lang: str = "zh-CN") -> html.Form:
    """A sign-out button for a page header (a same-origin POST to /logout)."""
    principal = current_principal()
    text = translator(lang)
    return html.Form(
        [html.Span(f"{text['auth.signed_in_as']}: {principal.display_name or principal.username}", className="me-2"),
         html.Button(text["auth.logout"], id="logout-button", type="submit", className="btn btn-sm btn-outline-light")],
        action="/logout", method="POST", id="logout-form",
    )  # fmt: skip


def user_bar(lang: str = "zh-CN") -> html.Div:
    """A page header's right side: the language switch, who is signed in, and sign-out."""
    return html.Div([language_switch(lang, translator(lang)["lang.switch"]), logout_button(lang)],
                    className="user-bar")
