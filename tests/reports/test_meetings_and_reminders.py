"""The monthly meeting agenda, its pack export, and the daily reminders."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from reports import selectors, services
from reports.jobs import export_meeting_pack, meeting_tick, send_reminders
from reports.models import AgendaItem, Meeting, MeetingPack, Notice
from tests import factories as f
from tests.reports.builders import WEEK, at, build_week, d, task

pytestmark = pytest.mark.django_db

NOV = datetime.date(2026, 11, 1)


def propose(scene, today=datetime.date(2026, 11, 22)):
    meeting, _ = services.propose_meeting(campaign_id=scene.campaign.pk, month=NOV, today=today)
    return meeting


def speakers(meeting, kind):
    return [item.unit.name for item in meeting.items.filter(kind=kind).select_related("unit")]


def test_the_agenda_has_the_five_parts_in_order():
    meeting = propose(build_week(lagging_bar=70))
    kinds = [item.kind for item in meeting.items.all()]
    assert kinds[0] == AgendaItem.Kind.PROGRESS
    assert kinds[-2:] == [AgendaItem.Kind.PROBLEMS, AgendaItem.Kind.KEY_TASKS]
    assert meeting.date == datetime.date(2026, 11, 25)
    assert meeting.status == Meeting.Status.PROPOSED


def test_the_best_units_share_experience_and_those_under_the_bar_make_a_statement():
    scene = build_week(lagging_bar=70, experience_speakers=1)
    meeting = propose(scene)
    assert speakers(meeting, AgendaItem.Kind.EXPERIENCE) == ["第二中队"]
    assert speakers(meeting, AgendaItem.Kind.STATEMENT) == ["第一中队"]
    statement = meeting.items.get(kind=AgendaItem.Kind.STATEMENT)
    assert statement.speaker == scene.leader_a
    assert "63.7" in statement.note


def test_a_stalled_squad_makes_a_statement_whatever_its_score():
    scene = build_week(lagging_bar=50, experience_speakers=2)
    c = f.UnitFactory(name="第三中队", code="sc", sort_order=3)
    leader_c = f.squad_leader(c)
    # Nothing due yet (score 100), but no activity on its open item since 10-25: stalled for 14+ days.
    task(scene, "c1", unit=c, responsible=leader_c, deadline=d(12, 15), assigned=at(10, 25),
         activity=at(10, 25))
    stalled = selectors.stalled_squads(scene.campaign, at(11, 22, 12))
    assert list(stalled) == [c.pk]
    meeting = propose(scene)
    assert "第三中队" in speakers(meeting, AgendaItem.Kind.STATEMENT)
    assert "第三中队" not in speakers(meeting, AgendaItem.Kind.EXPERIENCE)
    assert "14" in meeting.items.get(kind=AgendaItem.Kind.STATEMENT, unit=c).note


def test_next_months_key_tasks_and_open_problems_are_listed():
    scene = build_week()
    task(scene, "dec", unit=scene.a, responsible=scene.leader_a, deadline=d(12, 5), level="unit",
         assigned=at(11, 2), response=at(11, 2, 10))
    task(scene, "blk", unit=scene.b, responsible=scene.members_b[0], deadline=d(11, 30), assigned=at(11, 2),
         status="blocked")
    meeting = propose(scene)
    key_tasks = meeting.items.get(kind=AgendaItem.Kind.KEY_TASKS).note
    assert "任务dec" in key_tasks and "任务UA" in key_tasks  # unit tasks due in December
    problems = meeting.items.get(kind=AgendaItem.Kind.PROBLEMS).note
    assert "任务blk" in problems and "第一中队" in problems  # blocked task; A's finding f3 past deadline


def test_proposing_twice_keeps_the_edited_agenda():
    scene = build_week()
    meeting = propose(scene)
    meeting.items.update(title="改过的议程")
    again = propose(scene)
    assert again.pk == meeting.pk
    assert set(again.items.values_list("title", flat=True)) == {"改过的议程"}


def test_the_meeting_job_proposes_only_within_the_days_ahead(monkeypatch):
    scene = build_week()
    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2026, 11, 20))
    assert meeting_tick.delay().get() == []  # 11-20 is five days before 11-25; the default is three
    monkeypatch.setattr(timezone, "localdate", lambda *a: datetime.date(2026, 11, 22))
    monkeypatch.setattr("reports.jobs.active_campaigns", lambda *a: [scene.campaign])
    assert len(meeting_tick.delay().get()) == 1
    assert meeting_tick.delay().get() == []


def test_the_pack_job_reports_progress_and_leaves_a_zip(django_capture_on_commit_callbacks):
    scene = build_week()
    services.write_bulletin(campaign_id=scene.campaign.pk, iso_year=WEEK[0], iso_week=WEEK[1])
    meeting = propose(scene)
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.request_pack(meeting=meeting, by=scene.admin)
    pack.refresh_from_db()
    assert (pack.status, pack.progress) == (MeetingPack.Status.DONE, 100)
    assert pack.file.read(2) == b"PK" and pack.size > 1000
    # The job run again (a redelivered message) changes nothing.
    export_meeting_pack.delay(pack.pk)
    assert MeetingPack.objects.count() == 1


def test_members_and_squad_leaders_cannot_export_packs():
    from django.core.exceptions import PermissionDenied

    scene = build_week()
    meeting = propose(scene)
    for person in (scene.members_a[0], scene.leader_a, scene.leader):
        with pytest.raises(PermissionDenied):
            services.request_pack(meeting=meeting, by=person)
    assert MeetingPack.objects.count() == 0


# --- reminders -------------------------------------------------------------------------------

def test_people_get_their_overdue_and_due_soon_items_once_a_day():
    scene = build_week()
    today = datetime.date(2026, 11, 22)
    created = services.remind(campaign=scene.campaign, today=today)
    m1 = scene.members_a[0]
    mine = set(Notice.objects.filter(user=m1).values_list("kind", "key"))
    assert (Notice.Kind.OVERDUE, f"task:{scene.tasks['a3'].pk}:overdue") in mine
    soon = Notice.objects.get(user=scene.members_b[0], kind=Notice.Kind.DUE_SOON)
    assert str(scene.tasks["b2"].pk) in soon.key  # due 11-25, within three days
    assert services.remind(campaign=scene.campaign, today=today) == 0
    assert Notice.objects.count() == created


def test_items_overdue_beyond_the_escalation_days_go_to_the_next_level_up():
    scene = build_week(escalation_days=1)
    services.remind(campaign=scene.campaign, today=datetime.date(2026, 11, 22))
    # a3 (member of A) is two days overdue: squad A's leader hears of it.
    assert Notice.objects.filter(user=scene.leader_a, kind=Notice.Kind.ESCALATION,
                                 key=f"task:{scene.tasks['a3'].pk}:escalated:1").exists()
    assert not Notice.objects.filter(user=scene.leader_b, kind=Notice.Kind.ESCALATION).exists()
    # Each level hears of it once, not every morning.
    services.remind(campaign=scene.campaign, today=datetime.date(2026, 11, 23))
    assert Notice.objects.filter(user=scene.leader_a, kind=Notice.Kind.ESCALATION).count() == 1


def test_a_long_overdue_task_climbs_one_level_per_stretch_of_escalation_days():
    scene = build_week(escalation_days=1)
    a3 = scene.tasks["a3"]  # the member's, due 11-20
    for day in (22, 23, 24):
        services.remind(campaign=scene.campaign, today=datetime.date(2026, 11, day))
    levels = list(Notice.objects.filter(kind=Notice.Kind.ESCALATION, key__startswith=f"task:{a3.pk}:")
                  .order_by("key").values_list("key", "user"))
    # Squad leader first; with no 分管领导 named, every bureau leader next; nobody twice.
    assert levels == [(f"task:{a3.pk}:escalated:1", scene.leader_a.pk), (f"task:{a3.pk}:escalated:2", scene.leader.pk)]


def test_findings_are_left_to_the_light_sweep():
    scene = build_week(escalation_days=2)
    services.remind(campaign=scene.campaign, today=datetime.date(2026, 11, 27))
    assert not Notice.objects.filter(key__startswith="finding:").exists()


def test_the_daily_job_emails_each_person_one_digest(monkeypatch):
    scene = build_week()
    monkeypatch.setattr("reports.jobs.active_campaigns", lambda *a: [scene.campaign])
    send_reminders.delay().get()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert len(recipients) == len(set(recipients))
    assert scene.members_a[0].email in recipients
    assert not Notice.objects.filter(emailed_at__isnull=True).exclude(user__email="").exists()
    outbox = len(mail.outbox)
    send_reminders.delay().get()
    assert len(mail.outbox) == outbox
