"""The responsibility list (责任清单): a campaign's tasks, their append-only history and the evidence behind it.

A campaign's tasks form a tree of at most three levels: a bureau-level item
breaks into unit items, which break into personal items for named people
(DESIGN.md section 4). Every change is one :class:`TaskUpdate` row written by
``tasks.services``; nothing here changes state on its own.

Overdue is derived (deadline passed and not done) and never stored: the
selectors annotate it in SQL so lists can sort overdue first.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from campaign.core.uploads import PrivateFile
from campaign.models import Campaign, Standard

#: Bureau → unit → personal: a personal item is not split further.
MAX_DEPTH = 3


class Task(models.Model):
    """责任事项: one item of a campaign's responsibility list, owned by a unit and a named person.

    ``version`` is bumped by every service that changes the row, so two people
    saving the same task at once are told apart (optimistic locking). The
    ``*_at`` timestamps are kept by the services for the weekly bulletin's
    pressure gauge (time to first response, days without activity), so it can
    aggregate them in SQL instead of replaying the history.
    """

    class Level(models.TextChoices):
        BUREAU = "bureau", _("Bureau task")
        UNIT = "unit", _("Unit task")
        PERSONAL = "personal", _("Personal item")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT,
                                 related_name="tasks")
    parent = models.ForeignKey("self", verbose_name=_("parent task"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, editable=False)
    seq = models.PositiveIntegerField(_("number"),
                                      help_text=_("序号 in the responsibility list (unique per campaign)."))
    content = models.TextField(_("task"), max_length=2000)
    criteria = models.TextField(_("acceptance criteria"), max_length=2000, blank=True)
    deadline = models.DateField(_("deadline"))
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("supervising leader"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="supervised_tasks")
    unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT,
                             related_name="tasks")
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible person"),
                                    on_delete=models.PROTECT, related_name="responsible_tasks")
    standards = models.ManyToManyField(Standard, verbose_name=_("evaluation standards"), blank=True,
                                       related_name="tasks")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Denormalised for the bulletin; kept by tasks.services only.
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now, editable=False)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True, editable=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(_("last activity at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["campaign_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "seq"], name="task_seq_unique_per_campaign"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_at_most_100",
                                   violation_error_message=_("Progress is between 0 and 100 percent.")),
            models.CheckConstraint(
                condition=(Q(status="done") & Q(progress=100) & Q(done_at__isnull=False))
                | (~Q(status="done") & Q(done_at__isnull=True)),
                name="task_done_means_complete",
                violation_error_message=_("A done task is fully complete and has a completion time."),
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="task_not_its_own_parent"),
        ]
        indexes = [
            models.Index(fields=["campaign", "unit", "deadline"], name="task_campaign_unit_deadline"),
            models.Index(fields=["responsible", "status"], name="task_responsible_status"),
        ]

    def __str__(self):
        return f"{self.seq}. {self.content[:40]}"

    # --- derived, never stored -------------------------------------------
    def is_overdue(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status != self.Status.DONE and self.deadline < on

    def days_overdue(self, on: datetime.date | None = None) -> int:
        on = on or timezone.localdate()
        return (on - self.deadline).days if self.is_overdue(on) else 0

    @property
    def depth(self) -> int:
        return {self.Level.BUREAU: 1, self.Level.UNIT: 2, self.Level.PERSONAL: 3}.get(self.level, 1)

    @property
    def may_have_children(self) -> bool:
        """Whether items may hang under it: every level but the deepest (personal items)."""
        return self.depth < MAX_DEPTH

    def has_children(self) -> bool:
        """Whether items hang under it; a personal item has none, so asking costs no query."""
        return self.may_have_children and self.children.exists()

    def derive_level(self) -> str:
        """Bureau → unit → personal by position in the tree.

        A task with no parent is a bureau task when the bureau itself answers
        for it, and a unit task when a squad or office does (a squad's own item).
        """
        if self.parent_id is None:
            return self.Level.BUREAU if self.unit_id and self.unit.parent_id is None else self.Level.UNIT
        return self.Level.UNIT if self.parent.level == self.Level.BUREAU else self.Level.PERSONAL

    def clean(self):
        super().clean()
        errors: dict[str, str] = {}
        if self.parent_id:
            if self.parent.level == self.Level.PERSONAL:
                errors["parent"] = _("A personal item is not split further.")
            elif self.parent.campaign_id != self.campaign_id:
                errors["parent"] = _("The parent task belongs to another campaign.")
            elif self.pk and self._is_ancestor_of_self():
                errors["parent"] = _("A task cannot sit under itself.")
            elif self.deadline and self.parent.deadline and self.deadline > self.parent.deadline:
                errors["deadline"] = _("The deadline cannot be after the parent task's deadline (%(d)s).") % {
                    "d": self.parent.deadline.isoformat()}
            if (self.parent.level == self.Level.UNIT and self.unit_id and self.parent.unit_id
                    and not self.unit.path.startswith(self.parent.unit.path)):
                errors["unit"] = _("A personal item stays in the unit of the task it comes from.")
        if self.campaign_id and self.deadline and "deadline" not in errors:
            campaign = self.campaign
            if not campaign.start_date <= self.deadline <= campaign.end_date:
                errors["deadline"] = _("The deadline must fall within the campaign (%(start)s to %(end)s).") % {
                    "start": campaign.start_date.isoformat(), "end": campaign.end_date.isoformat()}
        if self.unit_id and self.responsible_id:
            person_unit = self.responsible.unit
            if person_unit is None or not person_unit.path.startswith(self.unit.path):
                errors["responsible"] = _("%(person)s does not belong to %(unit)s.") % {
                    "person": self.responsible.display_name, "unit": self.unit.name}
        if errors:
            raise ValidationError(errors)

    def _is_ancestor_of_self(self) -> bool:
        node = self.parent
        while node is not None:
            if node.pk == self.pk:
                return True
            node = node.parent
        return False


class TaskUpdate(models.Model):
    """进展: one change to a task, who made it and when, before → after. Append-only: never edited."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Created")
        STATUS = "status", _("Status or progress")
        ASSIGN = "assign", _("Assigned")
        REOPEN = "reopen", _("Reopened")
        NOTE = "note", _("Note")
        EDIT = "edit", _("Edited")
        ROLLUP = "rollup", _("Rolled up from its items")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                           related_name="task_updates")
    at = models.DateTimeField(_("at"), default=timezone.now)
    status_before = models.CharField(max_length=20, choices=Task.Status.choices, blank=True)
    status_after = models.CharField(max_length=20, choices=Task.Status.choices, blank=True)
    progress_before = models.PositiveSmallIntegerField(null=True, blank=True)
    progress_after = models.PositiveSmallIntegerField(null=True, blank=True)
    assignee_before = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    assignee_after = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), max_length=4000, blank=True)
    version = models.PositiveIntegerField(help_text=_("The task's version after this change."))

    class Meta:
        verbose_name = _("task update")
        verbose_name_plural = _("task updates")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "version"], name="taskupdate_one_per_task_version"),
        ]
        indexes = [models.Index(fields=["task", "-at"], name="taskupdate_task_at")]

    def __str__(self):
        return f"{self.task_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def status_changed(self) -> bool:
        return bool(self.status_before or self.status_after) and self.status_before != self.status_after

    @property
    def progress_changed(self) -> bool:
        return self.progress_after is not None and self.progress_before != self.progress_after

    @property
    def assignee_changed(self) -> bool:
        return self.assignee_after_id is not None and self.assignee_before_id != self.assignee_after_id


class Attachment(PrivateFile):
    """佐证材料: a photo or document sent with an update, served only to people who may see the task."""

    update = models.ForeignKey(TaskUpdate, on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["pk"]
