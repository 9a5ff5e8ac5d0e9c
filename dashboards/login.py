"""/login and /logout: the sign-in page (Chinese first, `?lang=en` for English) and its form posts.

The page is plain server-rendered HTML, not a Dash page: before signing in nobody may reach Dash's layout,
dependencies or callbacks, so the sign-in form must work without them. The form is CSRF-protected by a
double-submit token (a random cookie echoed in a hidden field), which stops another site from signing a browser
in under the attacker's account; sign-out takes a same-origin POST. Both are audited (api/gate.py).
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.gate import CSRF_COOKIE, SESSION_COOKIE, SESSION_COOKIE_SECONDS, Gate, cookie_header
from components.i18n import translator
from services.access import Principal

_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · 一屏统览 OneScreen</title>
<link rel="stylesheet" href="/assets/vendor/bootstrap.min.css"><link rel="stylesheet" href="/assets/fonts/noto-sans-sc.css">
<link rel="stylesheet" href="/assets/onescreen.css">
</head><body style="overflow:auto">
<main class="container" style="max-width:420px;padding-top:12vh">
<h1 class="h3 mb-4" style="color:var(--accent)"><span lang="zh-CN">一屏统览</span> · {title}</h1>
{body}
</main></body></html>"""

_FORM = """{message}<form id="login-form" method="post" action="/login">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="next" value="{next}">
<input type="hidden" name="lang" value="{lang}">
<div class="mb-3"><label class="form-label" for="login-username">{username}</label>
<input class="form-control" id="login-username" name="username" autocomplete="username" required autofocus></div>
<div class="mb-3"><label class="form-label" for="login-password">{password}</label>
<input class="form-control" id="login-password" name="password" type="password" autocomplete="current-password"
 required></div>
<button class="btn btn-primary w-100" id="login-submit" type="submit">{submit}</button>
</form><p class="mt-3"><a class="link-info" href="/login?lang={other}&amp;next={next_q}">{other_name}</a></p>"""


def _lang(value: str | None) -> str:
    return "en" if value == "en" else "zh-CN"


def safe_next(value: str | None) -> str | None:
    """Only a path on this site: never `//evil.example`, a scheme, or a backslash trick."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value if not urlsplit(value).netloc else None


def message_page(lang: str, key: str, *, home: bool = False, sign_in_next: str = "") -> str:
    """A one-line page (forbidden, bad wall token, expired form) in the interface language, titled with what it
    says, with the ways on: home (`home`) and signing in, as someone else, for `sign_in_next`."""
    text = translator(lang)
    links = ([("auth-home", "/", text["auth.home"])] if home else []) + [
        ("auth-sign-in", "/login?" + urlencode({"lang": lang, **({"next": sign_in_next} if sign_in_next else {})}),
         text["auth.sign_in_other" if home else "auth.sign_in"])]
    body = (f'<p id="auth-message" class="alert alert-warning">{escape(text[key])}</p><nav class="auth-links">'
            + " ".join(f'<a id="{ident}" class="btn btn-outline-info me-2" href="{escape(href)}">{escape(label)}</a>'
                       for ident, href, label in links) + "</nav>")
    return _PAGE.format(lang=lang, title=escape(text[f"{key}.title"]), body=body)


def forbidden_page(principal: Principal | None, path: str, query: str = "") -> str:
    """What the middleware shows a caller a page is closed to (the wall device: a bad token, never a login), in
    the language the address asks for (`?lang=`)."""
    lang = _lang(parse_qs(query).get("lang", [None])[0])
    if principal is None:
        return message_page(lang, "auth.wall_token", sign_in_next=path)
    return message_page(lang, "auth.forbidden", home=True, sign_in_next=path)


def _form(lang: str, csrf: str, next_path: str, problem: str | None = None) -> str:
    text = translator(lang)
    message = f'<p id="login-error" class="alert alert-danger">{escape(text[problem])}</p>' if problem else ""
    body = _FORM.format(
        message=message, csrf=escape(csrf), next=escape(next_path), next_q=quote(next_path, safe=""), lang=lang,
        username=escape(text["auth.username"]), password=escape(text["auth.password"]),
        submit=escape(text["auth.submit"]), other="zh-CN" if lang == "en" else "en",
        other_name=escape(text["auth.other_lang"]),
    )  # fmt: skip
    return _PAGE.format(lang=lang, title=escape(text["auth.title"]), body=body)


def _page(request: Request, lang: str, next_path: str, status: int = 200, problem: str | None = None) -> Response:
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = HTMLResponse(_form(lang, csrf, next_path, problem), status_code=status,
                            headers={"Cache-Control": "no-store"})  # fmt: skip
    name, value = cookie_header(CSRF_COOKIE, csrf, max_age=86_400, secure=request.url.scheme == "https")
    response.raw_headers.append((name, value))
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_router(gate: Gate) -> APIRouter:
    """GET /login (the form), POST /login (sign in), POST /logout (sign out). Not part of the integrator API."""
    router = APIRouter(include_in_schema=False)

    @router.get("/login")
    async def login_page(request: Request) -> Response:
        return _page(request, _lang(request.query_params.get("lang")), safe_next(request.query_params.get("next"))
                     or "")  # fmt: skip

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        lang, next_path = _lang(form.get("lang")), safe_next(form.get("next")) or ""
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie.encode(), form.get("csrf", "").encode()):
            return _page(request, lang, next_path, 403, "auth.csrf")
        outcome = await gate.sign_in(form.get("username", "").strip()[:64], form.get("password", ""),
                                     _client(request))  # fmt: skip
        if outcome.token is None or outcome.principal is None:
            problem = "auth.throttled" if outcome.problem == "throttled" else "auth.refused"
            return _page(request, lang, next_path, 429 if outcome.problem == "throttled" else 401, problem)
        target = next_path if next_path and outcome.principal.may_open(urlsplit(next_path).path) else None
        response = RedirectResponse(target or gate.home(outcome.principal), status_code=303)
        response.raw_headers.append(cookie_header(SESSION_COOKIE, outcome.token, max_age=SESSION_COOKIE_SECONDS,
                                                  secure=request.url.scheme == "https"))  # fmt: skip
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        claimed = request.headers.get("origin") or request.headers.get("referer") or ""
        if urlsplit(claimed).netloc != request.headers.get("host"):
            return HTMLResponse(message_page("zh-CN", "auth.csrf"), status_code=403)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await gate.sign_out(token, await gate.principal({SESSION_COOKIE: token}), _client(request))
        response = RedirectResponse("/login", status_code=303)
        response.raw_headers.append(cookie_header(SESSION_COOKIE, "", max_age=0, secure=request.url.scheme == "https"))
        return response

    return router
