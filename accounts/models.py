"""Units (the bureau and its squads) and the people who work in them."""

import datetime
import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.core.geo import point_in_polygon, validate_polygon


class Unit(models.Model):
    """A node of the bureau's organisation tree: the bureau, a squad, the inspection squad, an office.

    ``path`` is a materialised path ("/1/4/") kept by the service that saves the
    unit, so "this unit and everything under it" is one indexed prefix filter.
    A squad has a jurisdiction: the streets it covers, in words, and a boundary
    polygon of (latitude, longitude) pairs that sites and findings are placed in.
    """

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("Bureau")
        SQUAD = "squad", _("Squad")
        INSPECTION = "inspection", _("Inspection squad")
        OFFICE = "office", _("Office")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    jurisdiction = models.TextField(
        _("jurisdiction"), blank=True, help_text=_("The streets and areas this unit covers.")
    )
    boundary = models.JSONField(
        _("boundary"), default=list, blank=True,
        help_text=_("Jurisdiction boundary as a list of [latitude, longitude] points."),
    )
    supervisor = models.ForeignKey(
        "User", verbose_name=_("supervising leader"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="supervised_units", limit_choices_to={"role": "leader"},
        help_text=_("The bureau leader in charge of this unit (分管领导; for the bureau itself, its head): "
                    "long-overdue findings of the unit are escalated to them, then to the bureau's head."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="bureau", parent__isnull=True) | (~Q(kind="bureau") & Q(parent__isnull=False)),
                name="unit_only_bureau_is_root",
                violation_error_message=_("The bureau is the root; every other unit has a parent."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def lineage_ids(self) -> list[int]:
        """This unit's id and its ancestors', read off its path: the units it lies in or under."""
        return [int(part) for part in self.path.split("/") if part]

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def clean(self):
        super().clean()
        if self.kind == self.Kind.BUREAU and Unit.objects.filter(kind=self.Kind.BUREAU).exclude(pk=self.pk).exists():
            raise ValidationError({"kind": _("There is already a bureau: the tree has one root.")})
        if self.boundary:
            try:
                validate_polygon(self.boundary)
            except ValueError as exc:
                raise ValidationError({"boundary": str(exc)}) from exc
        if self.parent_id and self.pk:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A unit cannot sit under itself.")})
                ancestor = ancestor.parent

    def contains_point(self, latitude, longitude) -> bool:
        return bool(self.boundary) and point_in_polygon(float(latitude), float(longitude), self.boundary)


#: A mainland mobile number: what SMS and a group robot's @-mention need.
validate_mobile = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mobile number, such as 13812345678."),
                                 code="bad_mobile")


def normalise_mobile(value: str) -> str:
    """"138 1234-5678" and "+86 13812345678" as people type them → "13812345678"."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    return digits[3:] if digits.startswith("+86") else digits


class User(AbstractUser):
    """A person: their role decides what they may do, their unit decides where (DESIGN.md section 6)."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        LEADER = "leader", _("Bureau leader")
        SQUAD_LEADER = "squad_leader", _("Squad leader")
        MEMBER = "member", _("Squad member")
        INSPECTOR = "inspector", _("Inspector")

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    title = models.CharField(_("post"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_mobile],
                             help_text=_("Mobile number: for SMS and for @-mentions in the unit's group."))
    notify_by_sms = models.BooleanField(_("SMS"), default=True,
                                        help_text=_("Hand-offs that need me also come as a text message."))
    notify_by_email = models.BooleanField(_("email"), default=True,
                                          help_text=_("Hand-offs come by email too; reminders come as a daily digest."))
    # Quiet hours hold back SMS, never in-app notices; an escalation is sent through them.
    quiet_from = models.TimeField(_("quiet hours from"), null=True, blank=True, default=datetime.time(22, 0))
    quiet_until = models.TimeField(_("quiet hours until"), null=True, blank=True, default=datetime.time(7, 0))
    is_tier3_inspector = models.BooleanField(
        _("tier-3 inspector"), default=False,
        help_text=_("Designated to run the squad's own full internal inspections (tier 3)."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__sort_order", "username"]
        constraints = [
            # Only a superuser made from the command line may exist without a unit.
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(is_superuser=True),
                name="user_has_unit_unless_superuser",
                violation_error_message=_("Every person belongs to a unit."),
            ),
            models.CheckConstraint(
                condition=Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | Q(quiet_from__isnull=False, quiet_until__isnull=False),
                name="user_quiet_hours_both_or_neither",
                violation_error_message=_("Quiet hours need a start and an end, or neither."),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def quiet_hours_end(self, moment: datetime.datetime) -> datetime.datetime | None:
        """When the quiet hours around ``moment`` end (local time), or None when ``moment`` is outside them.

        Quiet hours may run over midnight (22:00–07:00) or within a day (12:00–14:00).
        """
        start, end = self.quiet_from, self.quiet_until
        if start is None or end is None or start == end:
            return None
        local = timezone.localtime(moment)
        now = local.time()
        inside = start <= now < end if start < end else (now >= start or now < end)
        if not inside:
            return None
        day = local.date() if now < end else local.date() + datetime.timedelta(days=1)
        return datetime.datetime.combine(day, end, tzinfo=local.tzinfo)

    def clean(self):
        super().clean()
        if (self.quiet_from is None) != (self.quiet_until is None):
            raise ValidationError({"quiet_until": _("Quiet hours need a start and an end, or neither.")})
        if self.quiet_from is not None and self.quiet_from == self.quiet_until:
            raise ValidationError({"quiet_until": _("Quiet hours end at another time than they start.")})
        if self.unit_id is None and not self.is_superuser:
            raise ValidationError({"unit": _("Every person belongs to a unit.")})
        if self.is_tier3_inspector and (self.unit is None or self.unit.kind != Unit.Kind.SQUAD):
            raise ValidationError(
                {"is_tier3_inspector": _("Only a member of a squad can be its tier-3 inspector.")}
            )
        if self.role == self.Role.SQUAD_LEADER and self.unit is not None and self.unit.kind != Unit.Kind.SQUAD:
            raise ValidationError({"unit": _("A squad leader belongs to a squad.")})
        if self.role == self.Role.INSPECTOR and self.unit is not None and self.unit.kind != Unit.Kind.INSPECTION:
            raise ValidationError({"unit": _("An inspector belongs to the inspection squad.")})


class SignInFailure(models.Model):
    """One failed sign-in: which username was tried, from which address, when.

    Kept in the database, not the cache, so every gunicorn worker counts the
    same failures and a Redis outage does not open the door to guessing.
    ``username`` is stored case-folded so "Admin" and "admin" count together.
    Rows older than the lockout window are pruned as new failures arrive
    (``accounts.lockout``).
    """

    username = models.CharField(_("username"), max_length=150)
    address = models.GenericIPAddressField(_("address"), unpack_ipv4=True)
    created = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [models.Index(fields=["username", "created"], name="signinfailure_user_time")]

    def __str__(self):
        return f"{self.username} @ {self.address}"
