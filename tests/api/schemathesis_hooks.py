"""Schemathesis hooks for OneScreen's API (`SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks schemathesis run ...`).

A CAP 1.2 body is defined by the OASIS XSD, an ordered sequence of elements that JSON Schema (and so /openapi.json)
cannot express: the schema-driven generator writes elements in any order. This registers, through schemathesis' own
mechanism for such media types, a strategy that writes valid CAP 1.2 alerts with generated values, so the run's
positive cases for `application/cap+xml` and `application/xml` are real CAP messages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from xml.sax.saxutils import escape

import schemathesis
from hypothesis import strategies as st

CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE",
              "Other")  # fmt: skip
URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
_TOKEN = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=40)
_WORDS = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=80).map(
    str.strip).filter(bool)


@st.composite
def cap_alert(draw: st.DrawFn) -> bytes:
    offset = timezone(timedelta(hours=draw(st.integers(-12, 14))))
    sent = draw(st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31))).replace(microsecond=0, tzinfo=UTC)
    stamp = sent.astimezone(offset).isoformat()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
<identifier>{draw(_TOKEN)}</identifier><sender>{draw(_TOKEN)}@example.org</sender><sent>{stamp}</sent>
<status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
<info><category>{draw(st.sampled_from(CATEGORIES))}</category><event>{escape(draw(_WORDS))}</event>
<urgency>{draw(st.sampled_from(URGENCY))}</urgency><severity>{draw(st.sampled_from(SEVERITY))}</severity>
<certainty>{draw(st.sampled_from(CERTAINTY))}</certainty><headline>{escape(draw(_WORDS))}</headline></info>
</alert>""".encode()


schemathesis.openapi.media_type("application/cap+xml", cap_alert(), aliases=["application/xml"])
