from rest_framework.routers import DefaultRouter

from reports.api import views

router = DefaultRouter()
router.register("bulletins", views.BulletinViewSet, basename="bulletin")
router.register("meetings", views.MeetingViewSet, basename="meeting")

urlpatterns = router.urls
