from django.urls import path
from rest_framework.routers import DefaultRouter

from campaign.api import views

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("point-types", views.PointTypeViewSet, basename="point-type")
router.register("sites", views.SiteViewSet, basename="site")
router.register("event-categories", views.EventCategoryViewSet, basename="event-category")

urlpatterns = [path("me/", views.me, name="api-me"), *router.urls]
