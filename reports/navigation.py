from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import is_admin
from campaign.core.navigation import Entry
from reports import selectors


def entries(user) -> list[Entry]:
    entries = []
    if selectors.can_read_bulletins(user):
        entries.append(Entry(_("Bulletins"), reverse("reports:bulletins"), _("Weekly bulletins: ranking and trend"),
                             "📰", 40))
    if selectors.can_read_meetings(user):
        entries.append(Entry(_("Meetings"), reverse("reports:meetings"),
                             _("Monthly progress meeting: agenda and pack"), "🗓", 45))
    if selectors.can_read_pressure(user):
        entries.append(Entry(_("Pressure"), reverse("reports:pressure"),
                             _("上热中温下冷: how fast each level acts, by unit and by person"), "🌡", 47))
    if is_admin(user):
        entries.append(Entry(_("Group robots"), reverse("reports:robots"),
                             _("企业微信 and 钉钉 groups per unit: test message, delivery log"), "📣", 85))
    unread = selectors.unread_count(user)
    title = _("Reminders (%(n)s)") % {"n": unread} if unread else _("Reminders")
    entries.append(Entry(title, reverse("reports:notices"), _("Your overdue and due-soon items"), "🔔", 60))
    return entries
