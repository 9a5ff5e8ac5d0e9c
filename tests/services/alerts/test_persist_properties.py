"""issue 17 point 1, as a property: whatever a stream entry holds, validation and the real persist worker (real
Redis, both databases) either store it or dead-letter it with its reason; the group's pending count returns to zero
and a valid alert sent afterwards is stored. One poison entry stopped all persistence before."""

from __future__ import annotations

import itertools
import json
from typing import Any

import redis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.alerts.persist import GROUP, PersistWorker
from services.alerts.schema import AlertValidationError, StreamAlert, normalize_alert
from services.config import Settings
from services.store import Alert
from tests.services.alerts.data import add_districts, alert

EXAMPLES = 120
NASTY = [
    "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2024-09-15T06:30:00", "\x00", "台风\x00预警",
    "x" * 300_000, "", " ", "nan", "inf", "-0", "1e309", "update", "cancel", "alert", "350203", "999999",
    '{"type": "Point", "coordinates": [118, 24]}', "{}", "[]", "null", "a,b,c", "a b", "<&>", "\ud7ff\ue000", "长" * 500,
]  # fmt: skip
VALUES = st.one_of(
    st.text(), st.text(alphabet=st.characters(codec="utf-8")), st.binary(max_size=40), st.sampled_from(NASTY),
    st.integers(), st.floats(), st.datetimes().map(str),
)
NAMES = st.one_of(st.sampled_from(list(StreamAlert.model_fields)), st.text(min_size=1, max_size=12))
MUTATIONS = st.dictionaries(NAMES, VALUES, max_size=4)
BATCHES = st.lists(st.tuples(MUTATIONS, st.booleans()), min_size=10, max_size=30)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=8)


def _validates(fields: dict[str, Any]) -> bool:
    try:
        normalize_alert({name: value.decode() if isinstance(value, bytes) else str(value)
                         for name, value in fields.items()})
    except (AlertValidationError, UnicodeDecodeError):
        return False
    return True


@given(fields=st.dictionaries(NAMES, JSON, max_size=6), base=st.booleans())
@hypothesis_settings(max_examples=300, deadline=None)
def test_validation_answers_any_json_with_fields_or_a_named_error(fields: dict[str, Any], base: bool) -> None:
    """What an integrator can put in a JSON body: a normalized alert of flat strings, or an error naming a field."""
    document = {**(alert("P-1") if base else {}), **fields}
    try:
        normalized = normalize_alert(document)
    except AlertValidationError as exc:
        assert exc.field and exc.reason
        return
    assert all(isinstance(value, str) for value in normalized.values())


def test_every_entry_is_stored_or_dead_lettered_and_the_stream_keeps_flowing(
    settings: Settings, engine: Engine, redis_client: redis.Redis
) -> None:
    add_districts(engine)
    numbers = itertools.count()
    sizes: list[int] = []

    @given(batch=BATCHES)
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def one_batch(batch: list[tuple[dict[str, Any], bool]]) -> None:
        sizes.append(len(batch))
        invalid: set[str] = set()
        for mutation, on_a_valid_alert in batch:
            fields = {**alert(f"P-{next(numbers)}"), **mutation} if on_a_valid_alert else mutation or {"id": "x"}
            stream_id = str(redis_client.xadd(settings.alerts_stream, fields))  # type: ignore[arg-type]
            if not _validates(fields):
                invalid.add(stream_id)
        later = str(redis_client.xadd(settings.alerts_stream, alert(f"later-{next(numbers)}")))  # type: ignore[arg-type]

        worker = PersistWorker(settings, engine, redis_client)
        while worker.run_once(block_ms=10) > 0:
            pass

        assert int(redis_client.xpending(settings.alerts_stream, GROUP)["pending"]) == 0
        letters = {fields["stream_id"]: fields for _, fields in redis_client.xrange(settings.dead_letter_stream)}
        assert set(letters) == invalid  # what validation refuses is dead-lettered; what it accepts is stored
        for letter in letters.values():
            assert letter["reason"] and isinstance(json.loads(letter["original"]), dict)
        with Session(engine) as session:
            assert session.scalar(select(Alert.id).where(Alert.stream_id == later)) is not None
        redis_client.delete(settings.dead_letter_stream)

    while sum(sizes) < 2_000:  # at least 2 000 entries, whatever batch sizes hypothesis draws (once: 1 948)
        one_batch()
