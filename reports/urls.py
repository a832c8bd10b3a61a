from django.urls import path

from reports import channel_views, views

app_name = "reports"

urlpatterns = [
    path("", views.bulletin_list, name="bulletins"),
    path("bulletins/write/", views.bulletin_write, name="bulletin_write"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/pdf/", views.bulletin_pdf, name="bulletin_pdf"),
    path("bulletins/<int:pk>/docx/", views.bulletin_docx, name="bulletin_docx"),
    path("bulletins/<int:pk>/regenerate/", views.bulletin_regenerate, name="bulletin_regenerate"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/propose/", views.meeting_propose, name="meeting_propose"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/approve/", views.meeting_approve, name="meeting_approve"),
    path("meetings/<int:pk>/pack/", views.pack_request, name="pack_request"),
    path("packs/<int:pk>/status/", views.pack_status, name="pack_status"),
    path("packs/<int:pk>/download/", views.pack_download, name="pack_download"),
    path("notices/", views.notice_list, name="notices"),
    path("pressure/", views.pressure_board, name="pressure"),
    path("robots/", channel_views.robot_list, name="robots"),
    path("robots/new/", channel_views.robot_edit, name="robot_create"),
    path("robots/<int:pk>/", channel_views.robot_detail, name="robot"),
    path("robots/<int:pk>/edit/", channel_views.robot_edit, name="robot_update"),
    path("robots/<int:pk>/test/", channel_views.robot_test, name="robot_test"),
    path("deliveries/", channel_views.delivery_list, name="deliveries"),
    path("deliveries/<int:pk>/resend/", channel_views.delivery_resend, name="delivery_resend"),
]
