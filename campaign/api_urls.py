"""/api/v1/: each app's API under one prefix."""

from django.urls import include, path

urlpatterns = [
    path("", include("campaign.api.urls")),
    path("", include("tasks.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("reports.api.urls")),
]
