"""The real URL map with the floor views added under /bench/floor/ (bench only)."""

from django.urls import path

from bench import floor
from campaign.urls import handler403, handler404  # noqa: F401
from campaign.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/floor/tasks/", floor.tasks, name="floor-tasks"),
    path("bench/floor/tasks/<int:pk>/", floor.task, name="floor-task"),
    path("bench/floor/tasks/<int:pk>/update/", floor.task_update, name="floor-task-update"),
    path("bench/floor/findings/", floor.findings, name="floor-findings"),
    path("bench/floor/bulletins/<int:pk>/", floor.bulletin, name="floor-bulletin"),
    *site_urlpatterns,
]
