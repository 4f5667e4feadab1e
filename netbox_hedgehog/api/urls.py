from netbox.api.routers import NetBoxRouter

from netbox_hedgehog.kinds import KINDS

from . import views

router = NetBoxRouter()
router.APIRootView = views.HedgehogRootView

router.register('fabrics', views.FabricViewSet)
router.register('sync-runs', views.SyncRunViewSet)
router.register('sync-changes', views.SyncChangeViewSet)
# One endpoint per kind, at the path the kind registry gives it (as urls.py does for the pages).
for kind in KINDS:
    router.register(kind.slug, views.RESOURCE_VIEWSETS[kind.model_name])

urlpatterns = router.urls
