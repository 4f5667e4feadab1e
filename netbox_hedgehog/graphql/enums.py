import strawberry

from netbox_hedgehog.choices import (
    ConnectionStatusChoices,
    ConnectionTypeChoices,
    DriftStatusChoices,
    ExternalTypeChoices,
    FabricDriftStatusChoices,
    FabricStatusChoices,
    SwitchRoleChoices,
    SyncStatusChoices,
    VPCModeChoices,
)

__all__ = (
    'ConnectionStatusEnum',
    'ConnectionTypeEnum',
    'DriftStatusEnum',
    'ExternalTypeEnum',
    'FabricDriftStatusEnum',
    'FabricStatusEnum',
    'SwitchRoleEnum',
    'SyncStatusEnum',
    'VPCModeEnum',
)

# Schema names carry the plugin prefix so that they can never clash with a core enum.
ConnectionStatusEnum = strawberry.enum(
    ConnectionStatusChoices.as_enum(name='NetBoxHedgehogConnectionStatusEnum', prefix='status')
)
ConnectionTypeEnum = strawberry.enum(
    ConnectionTypeChoices.as_enum(name='NetBoxHedgehogConnectionTypeEnum', prefix='type')
)
DriftStatusEnum = strawberry.enum(DriftStatusChoices.as_enum(name='NetBoxHedgehogDriftStatusEnum', prefix='drift'))
ExternalTypeEnum = strawberry.enum(ExternalTypeChoices.as_enum(name='NetBoxHedgehogExternalTypeEnum', prefix='type'))
FabricDriftStatusEnum = strawberry.enum(
    FabricDriftStatusChoices.as_enum(name='NetBoxHedgehogFabricDriftStatusEnum', prefix='drift')
)
FabricStatusEnum = strawberry.enum(FabricStatusChoices.as_enum(name='NetBoxHedgehogFabricStatusEnum', prefix='status'))
SwitchRoleEnum = strawberry.enum(SwitchRoleChoices.as_enum(name='NetBoxHedgehogSwitchRoleEnum', prefix='role'))
SyncStatusEnum = strawberry.enum(SyncStatusChoices.as_enum(name='NetBoxHedgehogSyncStatusEnum', prefix='status'))
VPCModeEnum = strawberry.enum(VPCModeChoices.as_enum(name='NetBoxHedgehogVPCModeEnum', prefix='mode'))
