"""The admin's pages for the channels: group robots per unit, their test message and delivery log.

Thin like every page: a selector reads (and decides what exists for the person: another unit's robot is a
404), the admin rule answers 403 for what is visible but not theirs to change, a service writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import is_admin
from campaign.core.forms import add_service_errors
from campaign.core.lists import page_of
from reports import selectors, services
from reports.forms import DeliveryFilterForm, RobotForm
from reports.models import Delivery, Robot
from reports.services.deliveries import sent_in_window

PAGE_SIZE = 50


def _require_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied(_("Only an administrator sets up the group robots."))


def _robot_or_404(user, pk: int) -> Robot:
    try:
        robot = selectors.robots_visible_to(user).get(pk=pk)
    except Robot.DoesNotExist as exc:
        raise Http404 from exc
    _require_admin(user)
    return robot


@login_required
@require_safe
def robot_list(request):
    _require_admin(request.user)
    return render(request, "reports/robot_list.html", {"robots": list(selectors.robot_list(request.user))})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def robot_edit(request, pk: int | None = None):
    """A new robot, or (with ``pk``) an existing one; what the service refuses is shown, nothing is saved."""
    if pk is None:
        _require_admin(request.user)
        robot = Robot()
    else:
        robot = _robot_or_404(request.user, pk)
    form = RobotForm(request.POST if request.method == "POST" else None, instance=robot)
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.robot_save(robot=form.instance, by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved: %(name)s.") % {"name": saved})
                return redirect("reports:robot", saved.pk)
        return render(request, "reports/robot_form.html", {"form": form, "robot": robot}, status=400)
    return render(request, "reports/robot_form.html", {"form": form, "robot": robot})


@login_required
@require_safe
def robot_detail(request, pk: int):
    robot = _robot_or_404(request.user, pk)
    return render(request, "reports/robot_detail.html", {
        "robot": robot, "log": list(selectors.robot_log(robot)), "in_window": sent_in_window(robot)})


@login_required
@require_POST
def robot_test(request, pk: int):
    """发送测试消息: with jobs in-process it has been tried when the page comes back; with a worker it is queued."""
    robot = _robot_or_404(request.user, pk)
    try:
        delivery = services.robot_send_test(robot=robot, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:robot", robot.pk)
    _say_how_it_went(request, delivery)
    return redirect("reports:robot", robot.pk)


def _say_how_it_went(request, delivery: Delivery) -> None:
    delivery.refresh_from_db()
    if delivery.status == Delivery.Status.SENT:
        messages.success(request, _("Sent. The gateway answered: %(answer)s") % {"answer": delivery.answer})
    elif delivery.status == Delivery.Status.FAILED:
        messages.error(request, _("Not sent. The gateway answered: %(answer)s") % {"answer": delivery.answer})
    elif delivery.attempts:
        messages.warning(request, _("Not sent yet; it is tried again at %(time)s. The gateway answered: %(answer)s")
                         % {"time": f"{delivery.next_attempt_at:%H:%M:%S}", "answer": delivery.answer})
    else:
        messages.info(request, _("Queued: it appears in the log below once it is sent."))


@login_required
@require_POST
def delivery_resend(request, pk: int):
    try:
        delivery = selectors.deliveries_visible_to(request.user).get(pk=pk)
    except Delivery.DoesNotExist as exc:
        raise Http404 from exc
    _require_admin(request.user)
    if services.delivery_resend(delivery=delivery, by=request.user):
        _say_how_it_went(request, delivery)
    else:
        messages.info(request, _("This message is sent already or being sent."))
    if delivery.robot_id:
        return redirect("reports:robot", delivery.robot_id)
    return redirect("reports:deliveries")


@login_required
@require_safe
def delivery_list(request):
    """Every delivery (persons' SMS and email too), newest first, narrowed by status and channel."""
    _require_admin(request.user)
    filter_form = DeliveryFilterForm(request.GET or None)
    chosen = filter_form.cleaned_data if filter_form.is_valid() else {}
    rows = selectors.delivery_list(request.user, status=chosen.get("status", ""), channel=chosen.get("channel", ""))
    page, query = page_of(request, rows, PAGE_SIZE)
    return render(request, "reports/delivery_list.html", {"page": page, "filter_form": filter_form, "query": query})
