"""How a page reaches the running app's resources: the Runtime hangs on the Dash app's FastAPI server state."""

from __future__ import annotations

from typing import cast

import dash

from services.platform import Runtime


def runtime() -> Runtime:
    return cast(Runtime, dash.get_app().server.state.runtime)
