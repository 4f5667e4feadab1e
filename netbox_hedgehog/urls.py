from django.urls import include, path
from utilities.urls import get_model_urls

from . import views  # noqa: F401
from .kinds import KINDS

app_name = 'netbox_hedgehog'
urlpatterns = [
    path('fabrics/', include(get_model_urls('netbox_hedgehog', 'fabric', detail=False))),
    path('fabrics/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'fabric'))),
    path('sync-runs/', include(get_model_urls('netbox_hedgehog', 'syncrun', detail=False))),
    path('sync-runs/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'syncrun'))),
]
# The pages of each kind, at the path the kind registry gives it (as api/urls.py does for the REST API).
for kind in KINDS:
    urlpatterns += [
        path(f'{kind.slug}/', include(get_model_urls('netbox_hedgehog', kind.model_name, detail=False))),
        path(f'{kind.slug}/<int:pk>/', include(get_model_urls('netbox_hedgehog', kind.model_name))),
    ]
