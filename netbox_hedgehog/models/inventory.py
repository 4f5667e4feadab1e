from django.db import models
from django.utils.translation import gettext_lazy as _
from utilities.querysets import RestrictedQuerySet

__all__ = (
    'InventoryLink',
)


class InventoryLink(models.Model):
    """One NetBox inventory object (dcim/ipam) the projection of a fabric created or adopted, and its Hedgehog
    object."""
    fabric = models.ForeignKey(
        to='netbox_hedgehog.Fabric', on_delete=models.CASCADE, related_name='inventory_links',
        verbose_name=_('fabric'),
    )
    kind = models.CharField(verbose_name=_('Hedgehog kind'), max_length=30)
    name = models.CharField(verbose_name=_('Hedgehog object'), max_length=253)
    # What the object is within the mapping (a device's name, "<device>/<interface>", "<vrf>/<prefix>", ...): the
    # projection finds its objects again by it, whatever people renamed in NetBox meanwhile.
    key = models.CharField(verbose_name=_('key'), max_length=300)
    object_type = models.ForeignKey(
        to='contenttypes.ContentType', on_delete=models.CASCADE, related_name='+', verbose_name=_('object type'),
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_('object ID'))
    created = models.BooleanField(
        verbose_name=_('created'),
        help_text=_('Created by the projection (deleted with its Hedgehog object); otherwise adopted (left alone)'),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('fabric', 'object_type', 'key')
        verbose_name = _('inventory link')
        verbose_name_plural = _('inventory links')
        indexes = (
            models.Index(fields=('object_type', 'object_id'), name='netbox_hedgehog_invlink_object'),
            models.Index(fields=('fabric', 'kind', 'name'), name='netbox_hedgehog_invlink_source'),
        )
        constraints = (
            models.UniqueConstraint(fields=('fabric', 'object_type', 'key'), name='netbox_hedgehog_invlink_key'),
            models.UniqueConstraint(fields=('fabric', 'object_type', 'object_id'),
                                    name='netbox_hedgehog_invlink_object_once'),
        )

    def __str__(self):
        return f'{self.kind} {self.name} -> {self.key}'
