"""Tasks made through the real services, so tests start from states the app can reach."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from tasks import services
from tasks.models import Task
from tests.factories import CampaignFactory, admin, bureau


def make_task(*, campaign=None, unit=None, responsible: User | None = None, by: User | None = None,
              parent: Task | None = None, deadline: datetime.date | None = None, content: str = "清理店外经营",
              standards=(), **kw) -> Task:
    campaign = campaign or (parent.campaign if parent else CampaignFactory())
    unit = unit or (responsible.unit if responsible else (parent.unit if parent else bureau()))
    by = by or admin()
    responsible = responsible or by
    deadline = deadline or (parent.deadline if parent else timezone.localdate() + datetime.timedelta(days=10))
    return services.task_create(campaign=campaign, by=by, content=content, unit=unit, responsible=responsible,
                                deadline=deadline, parent=parent, standards=standards, **kw)


def photo(name: str = "photo.jpg", size=(64, 48), fmt: str = "JPEG") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
