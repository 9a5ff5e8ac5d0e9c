"""督办 (supervision): a leader's instruction on an overdue or important case to one department, with a deadline;
the department's reply answers it, no reply by the deadline escalates it. For events (hotline work orders),
applications and alerts alike.

The face: the steps (`supervise`, `reply_supervision`, `clear_supervision`, `escalate_overdue`), their refusal
(`SupervisionRefused`), the reads (`supervisions_for`, `open_supervisions`, `waiting_counts`) and the worker
(`EscalationJob`).
"""

from services.supervision.commands import (
    OPEN_STATUSES,
    SUBJECTS,
    clear_supervision,
    escalate_overdue,
    reply_supervision,
    supervise,
)
from services.supervision.job import EscalationJob
from services.supervision.queries import (
    SupervisionView,
    WaitingCounts,
    open_supervisions,
    supervisions_for,
    waiting_counts,
)
from services.supervision.refusals import SupervisionRefused

__all__ = ["OPEN_STATUSES", "SUBJECTS", "EscalationJob", "SupervisionRefused", "SupervisionView", "WaitingCounts",
           "clear_supervision", "escalate_overdue", "open_supervisions", "reply_supervision", "supervise",
           "supervisions_for", "waiting_counts"]
