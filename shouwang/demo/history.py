"""The demo ledger's past: when each generated child was registered and what changed
in its record since, so that month-end figures and the last quarter's bulletin count
a ledger that grew and moved rather than one created this morning.

Each child carries a Story: the moment it was registered (most in an initial survey
between one and two years back, a steady trickle since) and the changes made to its
record afterwards, each with the values the changed fields had before it:
- a guardianship confirmation signed on its date (first signed, or renewed);
- parents come home from work (the child stops being left-behind);
- the exit, on its exit date.
`history_rows` turns a story into the ChildChange rows the registry services would
have written on those days, each state classified as of the day it began; the
children's rows are dated as registered (created_at) by the registry's bulk path.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from shouwang.registry import policy
from shouwang.registry.models import ChangeAction, Child, ChildChange, ChildStatus
from shouwang.registry.services import (
    classification_values,
    diff,
    facts_from_values,
    snapshot,
)
from shouwang.registry.services.history import to_json

HISTORY_DAYS = 730  # the first children were registered two years back
SURVEY_SHARE = 0.78  # registered in the initial survey, more than a year back
STAFF_JOINED_DAYS = 760  # directors and supervisors were appointed before that
RETURNED_HOME_SHARE = 0.5  # of the children in no category with a parent at home
FIRST_SIGNED_SHARE = 0.3  # confirmations first signed after registration (else renewed)

ACTIVE_AGAIN = {
    "status": ChildStatus.ACTIVE.value,
    "exit_reason": "",
    "exit_date": None,
}


@dataclass(frozen=True)
class Event:
    """One change to a record: when, which action, and the changed fields' values
    before it (model values: dates as date)."""

    at: datetime
    action: str
    before: dict[str, Any]


@dataclass(frozen=True)
class Story:
    registered: datetime
    events: tuple[Event, ...] = field(default=())


def office_time(rng: random.Random, day: date) -> datetime:
    """A moment of the working day (08:30–17:30, local time) on day."""
    start = datetime.combine(day, time(8, 30), tzinfo=timezone.get_current_timezone())
    return start + timedelta(minutes=rng.randint(0, 540))


def staff_joined(now: datetime | None = None) -> datetime:
    """When the demo's directors and supervisors were appointed: before the first
    child was registered."""
    day = timezone.localtime(now or timezone.now()).date()
    return datetime.combine(
        day - timedelta(days=STAFF_JOINED_DAYS),
        time(9, 0),
        tzinfo=timezone.get_current_timezone(),
    )


def registration_day(
    rng: random.Random, *, as_of: date, born: date, before: date | None = None
) -> date:
    """The day a child entered the ledger: in the initial survey (one to two years
    back) or in the trickle since, never before birth nor on or after `before` (an
    exit date)."""
    if rng.random() < SURVEY_SHARE:
        day = as_of - timedelta(days=rng.randint(366, HISTORY_DAYS))
    else:
        day = as_of - timedelta(days=rng.randint(1, 365))
    if day < born:  # registered soon after birth
        day = min(born + timedelta(days=rng.randint(7, 60)), as_of)
    if before is not None and day >= before:
        day = before - timedelta(days=rng.randint(14, 120))
    return max(day, born)


def story_for(
    rng: random.Random,
    facts: dict[str, Any],
    *,
    as_of: date,
    away: Callable[[dict[str, Any], date], dict[str, Any]],
    returned_home: bool,
) -> Story:
    """The past of one generated record (`facts`, its final state). `away(facts, day)`
    gives the values of a family whose parents were away working, with the entrusted
    guardian and the confirmation signed on day; `returned_home` says that the
    parents at home now came back within the last year. May move the record's
    confirmation date so that it falls after registration and before the exit."""
    exit_day = facts.get("exit_date")
    registered = registration_day(
        rng, as_of=as_of, born=facts["birth_date"], before=exit_day
    )
    events: list[Event] = []
    came_home = None
    if exit_day is not None and facts["exit_reason"] == "父母返乡/监护恢复":
        came_home = exit_day - timedelta(days=rng.randint(0, 20))
    elif returned_home:
        earliest = max(registered + timedelta(days=30), as_of - timedelta(days=365))
        if earliest < as_of - timedelta(days=7):
            came_home = date.fromordinal(
                rng.randint(
                    earliest.toordinal(), (as_of - timedelta(days=7)).toordinal()
                )
            )
    if came_home is not None:
        came_home = max(came_home, registered)
        events.append(
            Event(
                office_time(rng, came_home),
                ChangeAction.UPDATE,
                away(facts, registered),
            )
        )
    signed = facts.get("confirmation_date")
    if signed is not None and came_home is None:
        last = exit_day or as_of
        if signed <= registered or signed >= last:
            facts["confirmation_date"] = registered  # signed on registration
        elif rng.random() < FIRST_SIGNED_SHARE:
            before = {"confirmation_signed": False, "confirmation_date": None}
            events.append(Event(office_time(rng, signed), ChangeAction.UPDATE, before))
        else:  # first signed on registration, renewed on its date
            before = {"confirmation_date": registered}
            events.append(Event(office_time(rng, signed), ChangeAction.UPDATE, before))
    if exit_day is not None:
        events.append(
            Event(office_time(rng, exit_day), ChangeAction.EXIT, dict(ACTIVE_AGAIN))
        )
    registered_at = at = office_time(rng, registered)
    ordered = []
    # By day, in the order drawn within a day (parents come home, then the exit).
    for event in sorted(events, key=lambda e: e.at.date()):
        # Strictly after the change before it (two changes the same day keep order).
        at = max(event.at, at + timedelta(minutes=5))
        ordered.append(Event(at, event.action, event.before))
    return Story(registered=registered_at, events=tuple(ordered))


def _states(child: Child, story: Story, settings) -> list[dict[str, Any]]:
    """The record's snapshot after registration and after each change, oldest first:
    the final one is the record as it stands; each earlier one overlays the values
    from before the later changes and is classified as of the day it began."""
    final = snapshot(child)
    overlays: list[dict[str, Any]] = [{}]
    for event in reversed(story.events):
        overlays.insert(0, {**overlays[0], **event.before})
    starts = [story.registered, *(e.at for e in story.events)]
    states = []
    for overlay, start in zip(overlays, starts, strict=True):
        if not overlay:
            states.append(final)
            continue
        values = {**final, **{k: to_json(v) for k, v in overlay.items()}}
        result = policy.classify(
            facts_from_values(values),
            timezone.localtime(start).date(),
            settings(values["village_id"]),
        )
        values.update(classification_values(result))
        states.append(values)
    return states


def default_story(child: Child, now: datetime) -> Story:
    """A record without a drawn past: registered now, and exited now if exited."""
    exited = child.status == ChildStatus.EXITED
    return Story(
        registered=now,
        events=(Event(now, ChangeAction.EXIT, dict(ACTIVE_AGAIN)),) if exited else (),
    )


def history_rows(
    child: Child, story: Story, *, note: str, settings, now: datetime
) -> list[ChildChange]:
    """The ChildChange rows of the story (none later than now), version 1 upwards."""
    rows = []
    previous: dict[str, Any] = {}
    actions = [ChangeAction.CREATE, *(e.action for e in story.events)]
    moments = [story.registered, *(e.at for e in story.events)]
    for version, (state, action, at) in enumerate(
        zip(_states(child, story, settings), actions, moments, strict=True), start=1
    ):
        rows.append(
            ChildChange(
                child=child,
                version=version,
                at=min(at, now),
                action=action,
                changes=diff(previous, state),
                snapshot=state,
                note=note,
            )
        )
        previous = state
    return rows
