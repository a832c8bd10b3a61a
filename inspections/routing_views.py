"""Pages of a finding's routing: sent back, re-dispatched, more time asked for and decided, handed to a member,
corrected and withdrawn. Each is a step through ``views.transition``, over ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inspections import services
from inspections.forms import (
    AssignForm,
    CorrectForm,
    ExtensionAskForm,
    ExtensionDecideForm,
    RedispatchForm,
    SendBackForm,
    WithdrawForm,
)
from inspections.views import transition


@login_required
@require_POST
def finding_send_back(request, pk: int):
    def act(finding, data):
        services.finding_send_back(finding=finding, by=request.user, reason=data["reason"],
                                   expected_version=data["version"])
        messages.success(request, _("Sent back (退回); the dispatcher will re-dispatch it."))
    return transition(request, pk, SendBackForm, "send_back_form", act)


@login_required
@require_POST
def finding_redispatch(request, pk: int):
    def act(finding, data):
        services.finding_redispatch(finding=finding, by=request.user, unit=data["unit"], deadline=data["deadline"],
                                    note=data["note"], expected_version=data["version"])
        messages.success(request, _("Re-dispatched (改派) to %(unit)s.") % {"unit": data["unit"].name})
    return transition(request, pk, RedispatchForm, "redispatch_form", act)


@login_required
@require_POST
def finding_extension(request, pk: int):
    def act(finding, data):
        services.extension_ask(finding=finding, by=request.user, reason=data["reason"], deadline=data["deadline"],
                               expected_version=data["version"])
        messages.success(request, _("More time asked for; the dispatcher will decide."))
    return transition(request, pk, ExtensionAskForm, "extension_form", act)


@login_required
@require_POST
def finding_extension_decide(request, pk: int):
    def act(finding, data):
        approve = data["decision"] == "approve"
        services.extension_decide(finding=finding, by=request.user, approve=approve, answer=data["answer"],
                                  deadline=data["deadline"], expected_version=data["version"])
        messages.success(request, _("More time granted.") if approve else _("More time refused."))
    return transition(request, pk, ExtensionDecideForm, "decide_form", act)


@login_required
@require_POST
def finding_assign(request, pk: int):
    def act(finding, data):
        services.finding_assign(finding=finding, by=request.user, person=data["person"],
                                expected_version=data["version"])
        messages.success(request, _("Handed to %(name)s.") % {"name": data["person"].display_name})
    return transition(request, pk, AssignForm, "assign_form", act)


@login_required
@require_POST
def finding_correct(request, pk: int):
    def act(finding, data):
        services.finding_correct(finding=finding, by=request.user, changes=CorrectForm.changes(data, finding),
                                 expected_version=data["version"])
        messages.success(request, _("Finding corrected; its history keeps what it said before."))
    return transition(request, pk, CorrectForm, "correct_form", act)


@login_required
@require_POST
def finding_withdraw(request, pk: int):
    def act(finding, data):
        services.finding_withdraw(finding=finding, by=request.user, reason=data["reason"],
                                  expected_version=data["version"])
        messages.success(request, _("Finding withdrawn (作废); it leaves every figure."))
    return transition(request, pk, WithdrawForm, "withdraw_form", act)
