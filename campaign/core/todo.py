"""待办: what waits for one person's action, gathered from the apps that own the work.

Each app registers a provider in its ``ready()`` (as with the navigation), so this module, the page and the
top bar know no app. A provider answers two questions about a person:

- ``pending(user, now)``: the rows behind their entries, as a query of primary keys (or None): the top bar
  counts every app's in one query (a UNION ALL), on every page;
- ``sections(user, now, limit)``: its sections (findings to rectify, tasks of mine …), each with its totals
  and its most urgent ``limit`` entries, in a fixed number of queries whatever the data size.

Nothing here is stored: an entry is a row's state (a finding dispatched to my unit, a task of mine not
done), so it leaves everyone's 待办 the moment the action is done, whoever did it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import QuerySet

#: How urgent an entry is: past its deadline, inside the campaign's warning window, or neither.
OVERDUE, DUE_SOON, OPEN = "overdue", "due_soon", "open"


@dataclass(frozen=True)
class Entry:
    """One thing to do: what it is, where it is done, and by when."""

    title: str
    detail: str
    url: str
    urgency: str = OPEN
    #: The deadline: a moment (a finding's), or a day (a task's, due at the end of that day).
    due: datetime.datetime | datetime.date | None = None
    #: Since when it has waited, for entries with no deadline of their own (a rectification to verify).
    since: datetime.datetime | None = None
    #: The verb of the action, shown on the entry's button ("整改", "复查", "更新进度").
    action: str = ""
    #: Orders entries across sections: the moment it is due (or has waited since), as a timestamp.
    sort_key: float = 0.0


@dataclass
class Section:
    key: str
    title: str
    total: int
    overdue: int = 0
    due_soon: int = 0
    entries: list[Entry] = field(default_factory=list)
    #: Where the whole list behind the section is (a filtered list page), when there are more than shown.
    more_url: str = ""

    @property
    def hidden(self) -> int:
        return max(self.total - len(self.entries), 0)


class Provider(Protocol):
    def pending(self, user, now: datetime.datetime) -> QuerySet | None: ...

    def sections(self, user, now: datetime.datetime, limit: int) -> list[Section]: ...


_providers: dict[str, tuple[int, Provider]] = {}


def register(app_label: str, provider: Provider, *, order: int) -> None:
    """``order`` places the app's sections on the page: the shortest deadlines (findings, in hours) first."""
    _providers[app_label] = (order, provider)  # by app: a second ready() (tests reload apps) replaces


def _in_order() -> list[Provider]:
    return [provider for _order, provider in sorted(_providers.values(), key=lambda p: p[0])]


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def count(user, now: datetime.datetime) -> int:
    """The number of entries in ``user``'s 待办, for the top bar."""
    if not _signed_in(user):
        return 0
    found = [qs.order_by().values_list("pk") for provider in _in_order()
             if (qs := provider.pending(user, now)) is not None]
    if not found:
        return 0
    return found[0].union(*found[1:], all=True).count() if len(found) > 1 else found[0].count()


def sections(user, now: datetime.datetime, *, limit: int = 20) -> list[Section]:
    """Every section that has an entry, in the providers' order (findings, tasks, meetings)."""
    if not _signed_in(user):
        return []
    found = [section for provider in _in_order() for section in provider.sections(user, now, limit)]
    return [section for section in found if section.total]


def most_urgent(found: list[Section], n: int) -> list[Entry]:
    """The ``n`` entries due first across ``found``: overdue ones first, then those due soonest."""
    def rank(e: Entry) -> tuple:
        return (e.urgency != OVERDUE, e.urgency != DUE_SOON, e.sort_key)

    return sorted((entry for section in found for entry in section.entries), key=rank)[:n]


@dataclass(frozen=True)
class Totals:
    total: int
    overdue: int
    due_soon: int


def totals(found: list[Section]) -> Totals:
    return Totals(total=sum(s.total for s in found), overdue=sum(s.overdue for s in found),
                  due_soon=sum(s.due_soon for s in found))
