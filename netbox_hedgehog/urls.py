from django.urls import include, path
from utilities.urls import get_model_urls

from . import views  # noqa: F401

app_name = 'netbox_hedgehog'
urlpatterns = [
    path('fabrics/', include(get_model_urls('netbox_hedgehog', 'fabric', detail=False))),
    path('fabrics/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'fabric'))),
    path('sync-runs/', include(get_model_urls('netbox_hedgehog', 'syncrun', detail=False))),
    path('sync-runs/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'syncrun'))),

    # Wiring
    path('switches/', include(get_model_urls('netbox_hedgehog', 'switch', detail=False))),
    path('switches/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'switch'))),
    path('switch-groups/', include(get_model_urls('netbox_hedgehog', 'switchgroup', detail=False))),
    path('switch-groups/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'switchgroup'))),
    path('switch-profiles/', include(get_model_urls('netbox_hedgehog', 'switchprofile', detail=False))),
    path('switch-profiles/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'switchprofile'))),
    path('servers/', include(get_model_urls('netbox_hedgehog', 'server', detail=False))),
    path('servers/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'server'))),
    path('connections/', include(get_model_urls('netbox_hedgehog', 'connection', detail=False))),
    path('connections/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'connection'))),
    path('vlan-namespaces/', include(get_model_urls('netbox_hedgehog', 'vlannamespace', detail=False))),
    path('vlan-namespaces/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'vlannamespace'))),

    # VPCs
    path('ipv4-namespaces/', include(get_model_urls('netbox_hedgehog', 'ipv4namespace', detail=False))),
    path('ipv4-namespaces/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'ipv4namespace'))),
    path('vpcs/', include(get_model_urls('netbox_hedgehog', 'vpc', detail=False))),
    path('vpcs/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'vpc'))),
    path('vpc-attachments/', include(get_model_urls('netbox_hedgehog', 'vpcattachment', detail=False))),
    path('vpc-attachments/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'vpcattachment'))),
    path('vpc-peerings/', include(get_model_urls('netbox_hedgehog', 'vpcpeering', detail=False))),
    path('vpc-peerings/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'vpcpeering'))),

    # Externals
    path('externals/', include(get_model_urls('netbox_hedgehog', 'external', detail=False))),
    path('externals/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'external'))),
    path('external-attachments/', include(get_model_urls('netbox_hedgehog', 'externalattachment', detail=False))),
    path('external-attachments/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'externalattachment'))),
    path('external-peerings/', include(get_model_urls('netbox_hedgehog', 'externalpeering', detail=False))),
    path('external-peerings/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'externalpeering'))),

    # Gateways
    path('gateways/', include(get_model_urls('netbox_hedgehog', 'gateway', detail=False))),
    path('gateways/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'gateway'))),
    path('gateway-groups/', include(get_model_urls('netbox_hedgehog', 'gatewaygroup', detail=False))),
    path('gateway-groups/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'gatewaygroup'))),
    path('gateway-peerings/', include(get_model_urls('netbox_hedgehog', 'gatewaypeering', detail=False))),
    path('gateway-peerings/<int:pk>/', include(get_model_urls('netbox_hedgehog', 'gatewaypeering'))),
]
