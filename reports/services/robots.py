"""Writes for group robots: an admin sets one up per unit and sends it a test message."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import is_admin
from accounts.models import User
from reports import pushes
from reports.models import Delivery, Robot
from reports.services import deliveries

#: What an admin may change; never ``recent_sends``, which the delivery job writes under the robot's lock.
EDITABLE = ["unit", "name", "kind", "key", "secret", "enabled"]


def _admin_only(by: User) -> None:
    if not is_admin(by):
        raise PermissionDenied(_("Only an administrator sets up the group robots."))


@transaction.atomic
def robot_save(*, robot: Robot, by: User) -> Robot:
    """Validate and save a robot's settings (Robot.clean says what a key and a secret look like)."""
    _admin_only(by)
    robot.full_clean()
    if robot.pk is None:
        robot.save()
    else:
        robot.save(update_fields=EDITABLE)
    return robot


@transaction.atomic
def robot_send_test(*, robot: Robot, by: User) -> Delivery:
    """发送测试消息: a delivery like any other (paced, retried, logged), so the test shows what a hand-off does."""
    _admin_only(by)
    if not robot.enabled:
        raise ValidationError(_("The robot is switched off: switch it on to send it a test message."))
    key = f"robot-test:{robot.pk}:{timezone.now():%Y%m%d%H%M%S%f}"
    return deliveries.plan_for_robot(key=key, robot=robot, message=pushes.robot_test_message(robot, by=by))
