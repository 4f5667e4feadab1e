from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from netbox.api.authentication import TokenSyncPermission
from netbox.api.viewsets import NetBoxModelViewSet, NetBoxReadOnlyModelViewSet
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.routers import APIRootView

from netbox_hedgehog import filtersets, scheduling
from netbox_hedgehog.choices import SyncTriggerChoices
from netbox_hedgehog.models import (
    VPC,
    Connection,
    External,
    ExternalAttachment,
    ExternalPeering,
    Fabric,
    Gateway,
    GatewayGroup,
    GatewayPeering,
    IPv4Namespace,
    LinkCheck,
    Server,
    Switch,
    SwitchGroup,
    SwitchProfile,
    SyncChange,
    SyncRun,
    VLANNamespace,
    VPCAttachment,
    VPCPeering,
)
from netbox_hedgehog.models.base import StaleEdit
from netbox_hedgehog.sync.connection import check_connection

from . import serializers


class HedgehogRootView(APIRootView):
    """Hedgehog fabric API root view."""

    def get_view_name(self):
        return 'Hedgehog'


class FabricViewSet(NetBoxModelViewSet):
    queryset = Fabric.objects.prefetch_related('tags')
    serializer_class = serializers.FabricSerializer
    filterset_class = filtersets.FabricFilterSet

    def perform_update(self, serializer):
        super().perform_update(serializer)
        # NetBox answers with a fresh copy of the object: remember what this save removed, for the answer.
        self.__dict__.setdefault('credentials_dropped', {})[serializer.instance.pk] = (
            serializer.instance.dropped_credentials
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), 'credentials_dropped': self.__dict__.get('credentials_dropped', {})}

    def get_permissions(self):
        # Both actions need the fabric's sync permission (and a write-enabled token), not the add permission a
        # POST otherwise maps to, as NetBox does for its own sync actions.
        if self.action in ('sync', 'test_connection'):
            return [TokenSyncPermission()]
        return super().get_permissions()

    def retrieve(self, request, *args, **kwargs):
        """The fabric, with `problems`: what keeps its syncs from running, in plain words (the task queue cannot be
        reached, no worker listens, the scheduler sidecar is stopped), as its page shows them."""
        response = super().retrieve(request, *args, **kwargs)
        response.data['problems'] = scheduling.queue_health()
        return response

    def _fabric_for(self, request):
        # initial() narrowed self.queryset to the add permission, which does not govern these actions.
        return get_object_or_404(Fabric.objects.restrict(request.user, 'sync'), pk=self.kwargs['pk'])

    @extend_schema(request=serializers.SyncRequestSerializer, responses={202: serializers.SyncRunSerializer})
    @action(detail=True, methods=['post'])
    def sync(self, request, pk):
        """Queue a sync (or, with {"dry_run": true}, a dry run) of the fabric on the "high" queue.

        Answers 202 with the job id, the queue and the sync run. When a sync of the fabric is already queued or
        running, that one is returned (`created` false) instead of queueing another. 503 when the task queue
        cannot be reached.
        """
        fabric = self._fabric_for(request)
        options = serializers.SyncRequestSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        try:
            result = scheduling.enqueue_sync(fabric, SyncTriggerChoices.API, user=request.user,
                                             dry_run=options.validated_data['dry_run'])
        except scheduling.QueueUnavailable as e:
            return Response({'detail': str(e)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({
            'job_id': result.job_id,
            'queue': result.queue,
            'created': result.created,
            'message': result.message,
            'problems': scheduling.queue_health(),
            'sync_run': serializers.SyncRunSerializer(result.run, context={'request': request}).data,
        }, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=['post'], url_path='test-connection')
    def test_connection(self, request, pk):
        """Reach the fabric's API server, authenticate and list each Hedgehog kind; stores the connection status."""
        fabric = self._fabric_for(request)
        report = check_connection(fabric)
        return Response({
            'ok': report.ok,
            'connection_status': fabric.connection_status,
            'message': report.message,
            'kinds': report.kinds,
        })


class SyncRunViewSet(NetBoxReadOnlyModelViewSet):
    """The history of sync runs, newest first."""
    queryset = SyncRun.objects.select_related('fabric', 'user')
    serializer_class = serializers.SyncRunSerializer
    filterset_class = filtersets.SyncRunFilterSet


class SyncChangeViewSet(NetBoxReadOnlyModelViewSet):
    """What each sync run did to each object, with field diffs."""
    queryset = SyncChange.objects.select_related('run__fabric')
    serializer_class = serializers.SyncChangeSerializer
    filterset_class = filtersets.SyncChangeFilterSet


#
# Hedgehog resources: the fabric is joined (every representation nests it) and tags are prefetched, so a list costs
# the same number of queries whatever its length.
#

class EditConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = 'conflict'


class ResourceViewSet(NetBoxModelViewSet):
    """A writable Hedgehog kind: an update based on a version of the object that a sync has replaced since is
    refused with 409 Conflict (nothing is saved)."""

    def perform_update(self, serializer):
        try:
            super().perform_update(serializer)
        except StaleEdit as e:
            raise EditConflict(e.message) from e


class VLANNamespaceViewSet(ResourceViewSet):
    queryset = VLANNamespace.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.VLANNamespaceSerializer
    filterset_class = filtersets.VLANNamespaceFilterSet


class SwitchGroupViewSet(ResourceViewSet):
    queryset = SwitchGroup.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.SwitchGroupSerializer
    filterset_class = filtersets.SwitchGroupFilterSet


class SwitchProfileViewSet(NetBoxReadOnlyModelViewSet):
    """Switch profiles come from the fabric controller's catalog: NetBox lists them but never writes them."""
    queryset = SwitchProfile.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.SwitchProfileSerializer
    filterset_class = filtersets.SwitchProfileFilterSet


class SwitchViewSet(ResourceViewSet):
    queryset = Switch.objects.select_related('fabric', 'live_state').prefetch_related('tags')
    serializer_class = serializers.SwitchSerializer
    filterset_class = filtersets.SwitchFilterSet


class ServerViewSet(ResourceViewSet):
    queryset = Server.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.ServerSerializer
    filterset_class = filtersets.ServerFilterSet


class ConnectionViewSet(ResourceViewSet):
    queryset = Connection.objects.select_related('fabric').prefetch_related(
        'tags', Prefetch('link_checks', LinkCheck.objects.select_related('switch')),
    )
    serializer_class = serializers.ConnectionSerializer
    filterset_class = filtersets.ConnectionFilterSet


class IPv4NamespaceViewSet(ResourceViewSet):
    queryset = IPv4Namespace.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.IPv4NamespaceSerializer
    filterset_class = filtersets.IPv4NamespaceFilterSet


class VPCViewSet(ResourceViewSet):
    queryset = VPC.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.VPCSerializer
    filterset_class = filtersets.VPCFilterSet


class VPCAttachmentViewSet(ResourceViewSet):
    queryset = VPCAttachment.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.VPCAttachmentSerializer
    filterset_class = filtersets.VPCAttachmentFilterSet


class VPCPeeringViewSet(ResourceViewSet):
    queryset = VPCPeering.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.VPCPeeringSerializer
    filterset_class = filtersets.VPCPeeringFilterSet


class ExternalViewSet(ResourceViewSet):
    queryset = External.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.ExternalSerializer
    filterset_class = filtersets.ExternalFilterSet


class ExternalAttachmentViewSet(ResourceViewSet):
    queryset = ExternalAttachment.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.ExternalAttachmentSerializer
    filterset_class = filtersets.ExternalAttachmentFilterSet


class ExternalPeeringViewSet(ResourceViewSet):
    queryset = ExternalPeering.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.ExternalPeeringSerializer
    filterset_class = filtersets.ExternalPeeringFilterSet


class GatewayGroupViewSet(ResourceViewSet):
    queryset = GatewayGroup.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.GatewayGroupSerializer
    filterset_class = filtersets.GatewayGroupFilterSet


class GatewayViewSet(ResourceViewSet):
    queryset = Gateway.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.GatewaySerializer
    filterset_class = filtersets.GatewayFilterSet


class GatewayPeeringViewSet(NetBoxModelViewSet):
    queryset = GatewayPeering.objects.select_related('fabric').prefetch_related('tags')
    serializer_class = serializers.GatewayPeeringSerializer
    filterset_class = filtersets.GatewayPeeringFilterSet


# The viewset of each kind, keyed by its model name as the kind registry names it.
RESOURCE_VIEWSETS = {
    viewset.queryset.model._meta.model_name: viewset
    for viewset in (
        VLANNamespaceViewSet, SwitchGroupViewSet, SwitchProfileViewSet, SwitchViewSet, ServerViewSet,
        ConnectionViewSet, IPv4NamespaceViewSet, VPCViewSet, VPCAttachmentViewSet, VPCPeeringViewSet,
        ExternalViewSet, ExternalAttachmentViewSet, ExternalPeeringViewSet, GatewayGroupViewSet, GatewayViewSet,
        GatewayPeeringViewSet,
    )
}
