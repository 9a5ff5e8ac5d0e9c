"""Why a 督办 step is refused: a code a page words from its catalog (`supervision.refusal.<code>`, both
languages in components/locales/supervision.toml) and the English sentence for logs and the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REASONS: Mapping[str, str] = {
    "role": "role {role} may not supervise",
    "unknown_subject": "unknown subject {subject!r}: use one of {subjects}",
    "no_subject": "no {subject} {subject_id} in your scope",
    "unknown_department": "unknown department {department!r}",
    "empty_instruction": "the instruction is empty",
    "deadline_passed": "the deadline {deadline} is not after now",
    "no_supervision": "no supervision {supervision_id} in your scope",
    "empty_reply": "the reply is empty",
    "not_open": "supervision {supervision_id} is {status}: only an open or escalated one takes a reply",
    "cleared": "supervision {supervision_id} is already cleared",
    "own_supervision": "supervision {supervision_id} is of your own department: it is cleared by whoever supervises",
}


class SupervisionRefused(ValueError):
    """A 督办 step refused before anything was written: `code` (a `REASONS` key), `params` to word it, `reason`
    the English sentence."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        self.reason = REASONS[code].format(**{name: ", ".join(value) if isinstance(value, tuple) else value
                                              for name, value in params.items()})
        super().__init__(self.reason)

    @property
    def key(self) -> str:
        """The catalog key that words it."""
        return f"supervision.refusal.{self.code}"
