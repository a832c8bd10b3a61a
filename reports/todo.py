"""What the monthly meeting asks of a person (campaign.core.todo): the agenda items they speak to at an approved
meeting still to come. The entry leaves on the meeting's day, or when the agenda no longer names them."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.core import todo
from campaign.selectors import current_campaign
from reports.models import AgendaItem, Meeting
from reports.selectors import speaking_items

TITLE = gettext_lazy("Speaking at the meeting")


def _items(user, today: datetime.date) -> QuerySet[AgendaItem]:
    return speaking_items(user).filter(meeting__status=Meeting.Status.APPROVED, meeting__date__gte=today)


class Meetings:
    def pending(self, user, now: datetime.datetime) -> QuerySet[AgendaItem]:
        return _items(user, timezone.localdate(now))

    def sections(self, user, now: datetime.datetime, limit: int) -> list[todo.Section]:
        today = timezone.localdate(now)
        rows = list(_items(user, today).select_related("meeting").order_by("meeting__date", "order", "pk")[:limit])
        if not rows:
            return []
        campaign = current_campaign()
        window = datetime.timedelta(days=campaign.due_soon_days if campaign else 3)
        entries = [_entry(item, today, window) for item in rows]
        total = len(rows) if len(rows) < limit else _items(user, today).count()
        return [todo.Section(key="meetings_speaking", title=str(TITLE), total=total,
                             due_soon=sum(e.urgency == todo.DUE_SOON for e in entries), entries=entries)]


def _entry(item: AgendaItem, today: datetime.date, window: datetime.timedelta) -> todo.Entry:
    meeting = item.meeting
    detail = _("%(meeting)s · %(kind)s · %(minutes)s min") % {
        "meeting": meeting.title, "kind": item.get_kind_display(), "minutes": item.minutes}
    if meeting.location:
        detail += f" · {meeting.location}"
    start = datetime.datetime.combine(meeting.date, datetime.time.min, tzinfo=timezone.get_current_timezone())
    return todo.Entry(title=item.title, detail=detail, url=reverse("reports:meeting", args=[meeting.pk]),
                      urgency=todo.DUE_SOON if meeting.date - today <= window else todo.OPEN, due=meeting.date,
                      action=_("Read the agenda"), sort_key=start.timestamp())
