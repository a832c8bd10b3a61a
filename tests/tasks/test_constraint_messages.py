"""Constraint messages are %-formatted by Django: a bare "%" in one would crash instead of explaining."""

import pytest
from django.core.exceptions import ValidationError

from tasks.models import Task


@pytest.mark.parametrize("constraint", Task._meta.constraints, ids=lambda c: c.name)
def test_every_task_constraint_message_formats(constraint):
    assert constraint.get_violation_error_message()


@pytest.mark.django_db
def test_a_done_task_without_a_completion_time_is_refused_in_words():
    from tests.tasks.factories import make_task

    task = make_task()
    task.status, task.progress = Task.Status.DONE, 100
    with pytest.raises(ValidationError) as err:
        task.validate_constraints()
    assert "completion time" in str(err.value) or "完成时间" in str(err.value)
