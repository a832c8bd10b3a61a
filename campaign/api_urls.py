"""/api/v1/: each app's API under one prefix."""

from django.urls import include, path

urlpatterns = [
    path("", include("campaign.api.urls")),
]
