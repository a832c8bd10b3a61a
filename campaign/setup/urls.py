"""The admin's set-up pages, under /setup/."""

from django.urls import path

from campaign.setup import views as v

app_name = "setup"
urlpatterns = [
    path("", v.IndexView.as_view(), name="index"),
    path("units/", v.UnitListView.as_view(), name="units"),
    path("units/new/", v.UnitCreateView.as_view(), name="unit_create"),
    path("units/<int:pk>/", v.UnitUpdateView.as_view(), name="unit_update"),
    path("people/", v.PeopleListView.as_view(), name="people"),
    path("people/new/", v.PersonCreateView.as_view(), name="person_create"),
    path("people/<int:pk>/", v.PersonUpdateView.as_view(), name="person_update"),
    path("people/<int:pk>/password/", v.PersonPasswordView.as_view(), name="person_password"),
    path("campaigns/", v.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/new/", v.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", v.CampaignUpdateView.as_view(), name="campaign_update"),
    path("frameworks/", v.FrameworkListView.as_view(), name="frameworks"),
    path("frameworks/load/", v.FrameworkLoadView.as_view(), name="framework_load"),
    path("frameworks/<int:pk>/", v.FrameworkDetailView.as_view(), name="framework_detail"),
    path("frameworks/<int:framework_pk>/negative/new/", v.NegativeItemCreateView.as_view(), name="negative_create"),
    path("negative/<int:pk>/", v.NegativeItemUpdateView.as_view(), name="negative_update"),
    path("contents/<int:pk>/", v.ContentUpdateView.as_view(), name="content_update"),
    path("contents/<int:content_pk>/standards/new/", v.StandardCreateView.as_view(), name="standard_create"),
    path("standards/<int:pk>/", v.StandardUpdateView.as_view(), name="standard_update"),
    path("point-types/", v.PointTypeListView.as_view(), name="point_types"),
    path("point-types/new/", v.PointTypeCreateView.as_view(), name="point_type_create"),
    path("point-types/<int:pk>/", v.PointTypeUpdateView.as_view(), name="point_type_update"),
    path("sites/", v.SiteListView.as_view(), name="sites"),
    path("sites/new/", v.SiteCreateView.as_view(), name="site_create"),
    path("sites/<int:pk>/", v.SiteUpdateView.as_view(), name="site_update"),
    path("categories/", v.CategoryListView.as_view(), name="categories"),
    path("categories/new/", v.MajorCategoryCreateView.as_view(), name="major_create"),
    path("categories/<int:pk>/", v.MajorCategoryUpdateView.as_view(), name="major_update"),
    path("categories/minor/new/", v.MinorCategoryCreateView.as_view(), name="minor_create"),
    path("categories/minor/<int:pk>/", v.MinorCategoryUpdateView.as_view(), name="minor_update"),
]
