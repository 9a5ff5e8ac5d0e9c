"""Where each department is notified: the pack's `notify.toml`, one `[[contact]]` per channel of a department.

A webhook's URL carries its key (WeCom's `?key=`, DingTalk's `access_token`), so the pack never holds it: a contact
names the environment variable that does (`url_env`), and only that name is stored with a delivery or shown.
An e-mail contact names its address; the SMTP server and its password come from the settings. What the
departments read is the city's own wording, in `[messages]` (required once there is a contact): each a template
whose fields (in braces) are checked here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services.citypack.reading import line_of, optional_entries, template_problems

FILE = "notify.toml"
CHANNELS = ("webhook", "wecom", "dingtalk", "email")
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]{2,63}")
ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
Problem = tuple[str, int, str, str]
# Each message and the fields it may name: the subject of a plan's dispatch and of its escalation (the body is the
# plan's notice), the line naming who is on duty, the notice of an alert escalated by its timer, the notice
# of a department's task past its deadline, and of a 督办 left unanswered at its deadline ({link}: the item's page).
MESSAGES = {
    "dispatch": ("plan", "level", "level_name"),
    "escalation": ("plan", "level", "level_name"),
    "duty": ("title", "name", "phone"),
    "alert_escalation": ("headline", "minutes", "department"),
    "deadline": ("plan", "department", "task", "deadline"),
    "supervision_escalation": ("department", "instruction", "deadline", "link"),
}


@dataclass(frozen=True)
class Contact:
    """One way to reach a department: `channel` (CHANNELS) and `target` (the URL's variable name, or an address)."""

    department: str
    channel: str
    target: str


@dataclass(frozen=True)
class Contacts:
    by_department: Mapping[str, tuple[Contact, ...]] = field(default_factory=dict)
    messages: Mapping[str, str] = field(default_factory=dict)  # MESSAGES' templates

    def of(self, department: str) -> tuple[Contact, ...]:
        return self.by_department.get(department, ())


def load_contacts(root: Path, departments: Collection[str] | None) -> tuple[Contacts, list[Problem]]:
    """The contacts of the pack at `root` (none without a `notify.toml`) and their problems, one per line."""
    problems: list[Problem] = []
    read = optional_entries(root, FILE, "contact", problems)
    if read is None:
        return Contacts(), problems
    text, document, entries = read
    found: dict[str, list[Contact]] = {}
    for index, entry in enumerate(entries):
        line, name, before = line_of(text, r"\[\[\s*contact\s*\]\]", index), f"contact[{index + 1}]", len(problems)
        department, channel = str(entry.get("department", "")), str(entry.get("channel", ""))
        target = str(entry.get("to" if channel == "email" else "url_env", ""))
        if departments is not None and department not in departments:
            problems.append((FILE, line_of(text, r"department\s*=", 0, line), f"{name}.department",
                             f"unknown department {department!r}"))
        if channel not in CHANNELS:
            problems.append((FILE, line_of(text, r"channel\s*=", 0, line), f"{name}.channel",
                             f"{channel!r} is not one of {', '.join(CHANNELS)}"))
        elif channel == "email" and not ADDRESS.fullmatch(target):
            problems.append((FILE, line_of(text, r"to\s*=", 0, line), f"{name}.to", f"{target!r} is not an address"))
        elif channel != "email" and not ENV_NAME.fullmatch(target):
            problems.append((FILE, line_of(text, r"url_env\s*=", 0, line), f"{name}.url_env",
                             f"{target!r} is not an environment variable name (the URL with its key is a secret)"))
        if len(problems) == before:
            found.setdefault(department, []).append(Contact(department, channel, target))
    messages = _messages(text, document.get("messages"), problems) if found else {}
    return Contacts({code: tuple(contacts) for code, contacts in found.items()}, messages), problems


def _messages(text: str, table: object, problems: list[Problem]) -> dict[str, str]:
    line = line_of(text, r"\[\s*messages\s*\]")
    if not isinstance(table, dict):
        problems.append((FILE, 1, "messages", f"missing [messages] table ({', '.join(MESSAGES)})"))
        return {}
    messages: dict[str, str] = {}
    for key, allowed in MESSAGES.items():
        where = line_of(text, rf"{key}\s*=", 0, line)
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append((FILE, where if key in table else line, f"messages.{key}", "missing or empty"))
            continue
        problems.extend((FILE, where, f"messages.{key}", wrong) for wrong in template_problems(value, allowed))
        messages[key] = value
    return messages
