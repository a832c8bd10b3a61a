from django.urls import path

from tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_create, name="create"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/update/", views.task_update, name="update"),
    path("<int:pk>/assign/", views.task_assign, name="assign"),
    path("<int:pk>/reopen/", views.task_reopen, name="reopen"),
    path("<int:pk>/edit/", views.task_edit, name="edit"),
    path("<int:parent_pk>/split/", views.task_create, name="split"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("coverage/", views.coverage, name="coverage"),
    path("import/", views.import_tasks, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("export.xlsx", views.export_tasks, name="export"),
]
