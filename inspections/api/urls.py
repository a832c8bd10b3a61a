from rest_framework.routers import DefaultRouter

from inspections.api import views

router = DefaultRouter()
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("findings", views.FindingViewSet, basename="finding")

urlpatterns = router.urls
