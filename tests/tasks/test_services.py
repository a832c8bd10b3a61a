"""Status rules, roll-up, optimistic locking and the bulletin timestamps, through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tasks import services
from tasks.models import Task, TaskUpdate
from tests.factories import CampaignFactory, UnitFactory, admin, inspector, leader, member, squad_leader
from tests.tasks.factories import make_task, photo

pytestmark = pytest.mark.django_db
S = Task.Status


@pytest.fixture
def squad():
    return UnitFactory()


@pytest.fixture
def chief(squad):
    return squad_leader(squad)


@pytest.fixture
def worker(squad):
    return member(squad)


@pytest.fixture
def item(squad, chief, worker):
    return make_task(unit=squad, by=chief, responsible=worker)


def update(task, by, status, progress=None, note="", files=None):
    task.refresh_from_db()
    return services.task_update_status(task=task, by=by, status=status, progress=progress, note=note,
                                       files=files, expected_version=task.version)


def test_create_writes_history_and_numbers_tasks_per_campaign(item, chief):
    assert item.seq == 1 and item.version == 1 and item.level == Task.Level.UNIT
    row = item.updates.get()
    assert row.kind == TaskUpdate.Kind.CREATE and row.by == chief and row.assignee_after == item.responsible
    second = make_task(campaign=item.campaign, unit=item.unit, by=chief, responsible=chief)
    assert second.seq == 2
    assert make_task(by=chief, unit=item.unit, responsible=chief).seq == 1  # another campaign


def test_levels_follow_the_tree(squad, worker):
    top = make_task(content="背街小巷整治")
    assert top.level == Task.Level.BUREAU
    unit_task = make_task(parent=top, unit=squad, responsible=squad_leader(squad))
    assert unit_task.level == Task.Level.UNIT
    personal = make_task(parent=unit_task, responsible=worker)
    assert personal.level == Task.Level.PERSONAL
    with pytest.raises(ValidationError) as exc:
        make_task(parent=personal, responsible=worker)
    assert "parent" in exc.value.message_dict


def test_responsible_person_must_belong_to_the_unit(squad):
    outsider = member(UnitFactory())
    with pytest.raises(ValidationError) as exc:
        make_task(unit=squad, responsible=outsider)
    assert "responsible" in exc.value.message_dict


def test_deadline_must_fall_within_the_campaign():
    campaign = CampaignFactory()
    with pytest.raises(ValidationError) as exc:
        make_task(campaign=campaign, deadline=campaign.end_date + datetime.timedelta(days=1))
    assert "deadline" in exc.value.message_dict


def test_child_deadline_cannot_pass_the_parent(squad, worker):
    top = make_task()
    with pytest.raises(ValidationError):
        make_task(parent=top, unit=squad, responsible=worker, deadline=top.deadline + datetime.timedelta(days=1))


def test_done_needs_a_note_or_evidence(item, worker):
    with pytest.raises(ValidationError) as exc:
        update(item, worker, S.DONE)
    assert "note" in exc.value.message_dict
    item.refresh_from_db()
    assert item.status == S.NOT_STARTED and item.version == 1
    update(item, worker, S.DONE, files=[photo()])
    item.refresh_from_db()
    assert item.status == S.DONE and item.progress == 100 and item.done_at is not None


def test_done_with_a_note_is_enough(item, worker):
    update(item, worker, S.DONE, note="已全部清理")
    item.refresh_from_db()
    assert item.status == S.DONE


def test_blocked_needs_a_reason(item, worker):
    with pytest.raises(ValidationError) as exc:
        update(item, worker, S.BLOCKED, files=[photo()])
    assert "note" in exc.value.message_dict
    update(item, worker, S.BLOCKED, note="需规划部门审批")
    item.refresh_from_db()
    assert item.status == S.BLOCKED


def test_progress_out_of_range_is_refused(item, worker):
    with pytest.raises(ValidationError):
        update(item, worker, S.IN_PROGRESS, progress=101)


def test_progress_on_a_not_started_task_starts_it(item, worker):
    row = update(item, worker, S.NOT_STARTED, progress=20)
    assert row.status_after == S.IN_PROGRESS and row.progress_after == 20


def test_an_update_that_changes_nothing_is_refused(item, worker):
    with pytest.raises(ValidationError):
        update(item, worker, S.NOT_STARTED, progress=0)


def test_a_note_alone_is_recorded_as_a_note(item, worker):
    row = update(item, worker, S.NOT_STARTED, note="明天开始")
    assert row.kind == TaskUpdate.Kind.NOTE


def test_a_done_task_changes_only_through_reopen(item, worker):
    update(item, worker, S.DONE, note="完成")
    with pytest.raises(ValidationError) as exc:
        update(item, worker, S.IN_PROGRESS, progress=50)
    assert "status" in exc.value.message_dict


@pytest.mark.parametrize("who", ["chief", "leader", "inspector", "admin"])
def test_reopen_by_the_unit_leader_a_bureau_leader_or_an_inspector(item, worker, chief, who):
    update(item, worker, S.DONE, note="完成")
    person = {"chief": chief, "leader": leader(), "inspector": inspector(), "admin": admin()}[who]
    item.refresh_from_db()
    row = services.task_reopen(task=item, by=person, note="复查发现反弹", expected_version=item.version)
    item.refresh_from_db()
    assert item.status == S.IN_PROGRESS and item.done_at is None and item.progress < 100
    assert row.kind == TaskUpdate.Kind.REOPEN and row.note == "复查发现反弹"


def test_reopen_needs_a_reason(item, worker, chief):
    update(item, worker, S.DONE, note="完成")
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        services.task_reopen(task=item, by=chief, note=" ", expected_version=item.version)


@pytest.mark.parametrize("who", ["owner", "colleague", "other_squad_leader"])
def test_reopen_refused_to_other_roles(item, worker, squad, who):
    update(item, worker, S.DONE, note="完成")
    person = {"owner": worker, "colleague": member(squad), "other_squad_leader": squad_leader(UnitFactory())}[who]
    item.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.task_reopen(task=item, by=person, note="再看看", expected_version=item.version)


def test_only_a_done_task_is_reopened(item, chief):
    with pytest.raises(ValidationError):
        services.task_reopen(task=item, by=chief, note="x", expected_version=item.version)


def test_member_updates_only_their_own_items(item, squad):
    colleague = member(squad)
    with pytest.raises(PermissionDenied):
        update(item, colleague, S.IN_PROGRESS, progress=10)
    with pytest.raises(PermissionDenied):
        update(item, inspector(), S.IN_PROGRESS, progress=10)


def test_squad_leader_cannot_create_in_another_squad(chief):
    other = UnitFactory()
    with pytest.raises(PermissionDenied):
        make_task(unit=other, by=chief, responsible=member(other))


def test_stale_version_changes_nothing(item, worker, chief):
    seen = item.version
    update(item, worker, S.IN_PROGRESS, progress=30, note="开始")
    with pytest.raises(services.StaleEdit) as exc:
        services.task_update_status(task=item, by=chief, status=S.IN_PROGRESS, progress=80, note="x",
                                    expected_version=seen)
    assert exc.value.current.progress == 30
    item.refresh_from_db()
    assert item.progress == 30 and item.updates.count() == 2


def test_assign_restarts_the_wait_for_a_first_response(item, chief, worker, squad):
    other = member(squad)
    update(item, worker, S.IN_PROGRESS, progress=10)
    item.refresh_from_db()
    assert item.first_response_at is not None
    row = services.task_assign(task=item, by=chief, responsible=other, expected_version=item.version)
    item.refresh_from_db()
    assert item.responsible == other and item.first_response_at is None
    assert row.assignee_before == worker and row.assignee_after == other
    update(item, chief, S.IN_PROGRESS, progress=20)  # the leader's update is not the assignee's response
    item.refresh_from_db()
    assert item.first_response_at is None
    update(item, other, S.IN_PROGRESS, progress=30)
    item.refresh_from_db()
    assert item.first_response_at is not None and item.last_activity_at >= item.first_response_at


def test_assign_only_inside_the_unit_and_by_its_leader(item, chief, worker, squad):
    with pytest.raises(ValidationError):
        services.task_assign(task=item, by=chief, responsible=member(UnitFactory()), expected_version=item.version)
    with pytest.raises(PermissionDenied):
        services.task_assign(task=item, by=worker, responsible=member(squad), expected_version=item.version)


class TestRollUp:
    @pytest.fixture
    def tree(self, squad, chief, worker):
        top = make_task(content="背街小巷整治")
        unit_task = make_task(parent=top, unit=squad, responsible=chief)
        a = make_task(parent=unit_task, by=chief, responsible=worker)
        b = make_task(parent=unit_task, by=chief, responsible=member(squad))
        return top, unit_task, a, b

    def test_progress_is_the_mean_of_the_children_up_the_chain(self, tree):
        top, unit_task, a, b = tree
        update(a, a.responsible, S.IN_PROGRESS, progress=50)
        unit_task.refresh_from_db()
        top.refresh_from_db()
        assert unit_task.progress == 25 and unit_task.status == S.IN_PROGRESS
        assert top.progress == 25 and top.status == S.IN_PROGRESS
        assert unit_task.updates.filter(kind=TaskUpdate.Kind.ROLLUP).count() == 1

    def test_parent_is_done_when_all_children_are_done_and_reopens_with_them(self, tree, chief):
        top, unit_task, a, b = tree
        update(a, a.responsible, S.DONE, note="完成")
        update(b, b.responsible, S.DONE, note="完成")
        unit_task.refresh_from_db()
        top.refresh_from_db()
        assert unit_task.status == S.DONE and unit_task.progress == 100 and unit_task.done_at
        assert top.status == S.DONE
        a.refresh_from_db()
        services.task_reopen(task=a, by=chief, note="反弹", expected_version=a.version)
        unit_task.refresh_from_db()
        top.refresh_from_db()
        assert unit_task.status == S.IN_PROGRESS and unit_task.progress == 95 and unit_task.done_at is None
        assert top.status == S.IN_PROGRESS

    def test_a_parent_is_not_done_by_hand_before_its_items(self, tree, chief):
        _top, unit_task, a, _b = tree
        with pytest.raises(ValidationError):
            update(unit_task, chief, S.DONE, note="都做完了")
        with pytest.raises(ValidationError):
            update(unit_task, chief, S.IN_PROGRESS, progress=70)

    def test_a_new_child_pulls_the_parent_progress_down(self, tree, chief, worker):
        _top, unit_task, a, b = tree
        update(a, a.responsible, S.DONE, note="完成")
        update(b, b.responsible, S.DONE, note="完成")
        unit_task.refresh_from_db()
        assert unit_task.status == S.DONE
        with pytest.raises(ValidationError):  # done: reopen before adding items
            make_task(parent=unit_task, by=chief, responsible=worker)


def test_edit_records_the_fields_and_checks_the_version(item, chief):
    new_deadline = timezone.localdate() + datetime.timedelta(days=3)
    row = services.task_edit(task=item, by=chief, expected_version=item.version, deadline=new_deadline,
                             content="新的任务内容")
    item.refresh_from_db()
    assert item.content == "新的任务内容" and item.deadline == new_deadline and row.kind == TaskUpdate.Kind.EDIT
    with pytest.raises(services.StaleEdit):
        services.task_edit(task=item, by=chief, expected_version=1, content="旧")


def test_overdue_is_derived(item):
    later = item.deadline + datetime.timedelta(days=4)
    assert item.is_overdue(later) and item.days_overdue(later) == 4
    assert not item.is_overdue(item.deadline)


def test_editing_a_parent_keeps_its_items_consistent(squad, chief, worker):
    parent = make_task(unit=squad, by=chief, responsible=chief)
    make_task(parent=parent, by=chief, responsible=worker)
    parent.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.task_edit(task=parent, by=chief, expected_version=parent.version,
                           deadline=parent.deadline - datetime.timedelta(days=1))
    assert "deadline" in exc.value.message_dict
    other = UnitFactory()
    with pytest.raises(ValidationError):
        services.task_edit(task=parent, by=admin(), expected_version=parent.version, unit=other,
                           responsible=squad_leader(other))


def test_split_creates_all_items_or_none(squad, chief, worker):
    parent = make_task(unit=squad, by=chief, responsible=chief)
    good = {"content": "早高峰值守", "unit": squad, "responsible": worker, "deadline": parent.deadline}
    children = services.task_split(parent=parent, by=chief, items=[good, good | {"content": "晚高峰值守"}])
    assert [c.level for c in children] == [Task.Level.PERSONAL] * 2
    outsider = member(UnitFactory())
    with pytest.raises(ValidationError):
        services.task_split(parent=parent, by=chief, items=[good | {"content": "第三项"},
                                                            good | {"responsible": outsider}])
    assert parent.children.count() == 2


def test_a_status_update_writes_back_only_the_columns_it_changed(item, worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    content = item.content
    with CaptureQueriesContext(connection) as queries:
        update(item, worker, Task.Status.IN_PROGRESS, progress=40, note="开始")
    task_updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "tasks_task"')]
    assert task_updates and all('"content"' not in sql and '"criteria"' not in sql for sql in task_updates)
    item.refresh_from_db()
    assert (item.status, item.progress, item.version, item.content) == ("in_progress", 40, 2, content)
    assert item.first_response_at is not None  # the responsible person's first answer, written too
