"""URL map of the whole site."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from campaign import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("todo/", views.todo_page, name="todo"),
    path("todo/count/", views.todo_count, name="todo_count"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("setup/", include("campaign.setup.urls")),
    path("tasks/", include("tasks.urls")),
    path("inspections/", include("inspections.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("campaign.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler403 = "campaign.views.error_403"
handler404 = "campaign.views.error_404"
