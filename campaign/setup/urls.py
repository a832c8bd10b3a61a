"""The admin's set-up pages, under /setup/."""

from django.urls import path

from campaign.setup.views import framework, people, places, shared

app_name = "setup"
urlpatterns = [
    path("", shared.index, name="index"),
    path("units/", people.unit_list, name="units"),
    path("units/new/", people.unit_edit, name="unit_create"),
    path("units/<int:pk>/", people.unit_edit, name="unit_update"),
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/import/", people.people_import, name="people_import"),
    path("people/import/template/", people.people_template, name="people_template"),
    path("people/<int:pk>/", people.person_update, name="person_update"),
    path("people/<int:pk>/password/", people.person_password, name="person_password"),
    path("campaigns/", framework.campaign_list, name="campaigns"),
    path("campaigns/new/", framework.campaign_edit, name="campaign_create"),
    path("campaigns/<int:pk>/", framework.campaign_edit, name="campaign_update"),
    path("frameworks/", framework.framework_list, name="frameworks"),
    path("frameworks/load/", framework.framework_load, name="framework_load"),
    path("frameworks/<int:pk>/", framework.framework_detail, name="framework_detail"),
    path("frameworks/<int:framework_pk>/negative/new/", framework.negative_create, name="negative_create"),
    path("negative/<int:pk>/", framework.negative_update, name="negative_update"),
    path("contents/<int:pk>/", framework.content_update, name="content_update"),
    path("contents/<int:content_pk>/standards/new/", framework.standard_create, name="standard_create"),
    path("standards/<int:pk>/", framework.standard_update, name="standard_update"),
    path("point-types/", places.point_type_list, name="point_types"),
    path("point-types/new/", places.point_type_edit, name="point_type_create"),
    path("point-types/<int:pk>/", places.point_type_edit, name="point_type_update"),
    path("sites/", places.site_list, name="sites"),
    path("sites/new/", places.site_edit, name="site_create"),
    path("sites/<int:pk>/", places.site_edit, name="site_update"),
    path("categories/", places.category_list, name="categories"),
    path("categories/new/", places.major_edit, name="major_create"),
    path("categories/<int:pk>/", places.major_edit, name="major_update"),
    path("categories/minor/new/", places.minor_edit, name="minor_create"),
    path("categories/minor/<int:pk>/", places.minor_edit, name="minor_update"),
]
