from django.urls import path

from inspections import routing_views, views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("start/", views.inspection_start, name="inspection_start"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/checks/", views.inspection_checks, name="inspection_checks"),
    path("<int:pk>/finish/", views.inspection_finish, name="inspection_finish"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/export.xlsx", views.finding_export, name="finding_export"),
    path("findings/ours/", views.unit_findings, name="unit_findings"),
    path("findings/new/", views.finding_new, name="finding_new"),
    path("findings/new/checklist/", views.finding_checklist, name="finding_checklist"),
    path("findings/new/propose/", views.finding_propose, name="finding_propose"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/rectify/", views.finding_rectify, name="finding_rectify"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding_close"),
    path("findings/<int:pk>/return/", views.finding_return, name="finding_return"),
    path("findings/<int:pk>/send-back/", routing_views.finding_send_back, name="finding_send_back"),
    path("findings/<int:pk>/redispatch/", routing_views.finding_redispatch, name="finding_redispatch"),
    path("findings/<int:pk>/extension/", routing_views.finding_extension, name="finding_extension"),
    path("findings/<int:pk>/extension/decide/", routing_views.finding_extension_decide,
         name="finding_extension_decide"),
    path("findings/<int:pk>/correct/", routing_views.finding_correct, name="finding_correct"),
    path("findings/<int:pk>/assign/", routing_views.finding_assign, name="finding_assign"),
    path("findings/<int:pk>/withdraw/", routing_views.finding_withdraw, name="finding_withdraw"),
    path("photos/<int:pk>/", views.finding_photo, name="finding_photo"),
    path("relapses/", views.relapse_places, name="relapse_places"),
]
