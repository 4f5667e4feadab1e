from django.core.management.base import BaseCommand, CommandError

from netbox_hedgehog.choices import SyncRunStatusChoices, SyncTriggerChoices
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import Fabric
from netbox_hedgehog.scheduling import QueueUnavailable, run_locked
from netbox_hedgehog.sync.engine import create_run

ACTIONS = ('create', 'update', 'delete', 'unchanged', 'error')


class Command(BaseCommand):
    help = 'Sync one Hedgehog fabric from its Kubernetes cluster in the foreground and print the per-kind summary.'

    def add_arguments(self, parser):
        parser.add_argument('fabric', help='Fabric name or ID')
        parser.add_argument('--dry-run', action='store_true', help='Compute and record the plan without writing')

    def handle(self, *args, fabric, dry_run, **options):
        lookup = {'pk': int(fabric)} if fabric.isdigit() else {'name': fabric}
        try:
            target = Fabric.objects.get(**lookup)
        except Fabric.DoesNotExist:
            raise CommandError(f'No fabric with {"ID" if fabric.isdigit() else "name"} {fabric!r}.')
        # Holds the fabric's sync lock like a queued sync, so it never overlaps one.
        try:
            run = run_locked(create_run(target, SyncTriggerChoices.COMMAND, dry_run=dry_run))
        except QueueUnavailable as e:
            raise CommandError(str(e))

        self.stdout.write(f'{"Dry run" if dry_run else "Sync"} #{run.pk} of fabric {target.name}: {run.status}')
        if run.counts:
            self.stdout.write(f'{"kind":<20}' + ''.join(f'{a:>10}' for a in ACTIONS))
            for kind_spec in KINDS:
                counts = run.counts.get(kind_spec.kind, {})
                self.stdout.write(f'{kind_spec.kind:<20}' + ''.join(f'{counts.get(a, 0):>10}' for a in ACTIONS))
            # The projection into NetBox's inventory, per NetBox model ("NetBox dcim.device").
            inventory = sorted((kind[7:], counts) for kind, counts in run.counts.items() if kind.startswith('NetBox '))
            if inventory:
                self.stdout.write(f'{"NetBox model":<24}' + ''.join(f'{a:>10}' for a in ACTIONS))
            for model, counts in inventory:
                self.stdout.write(f'{model:<24}' + ''.join(f'{counts.get(a, 0):>10}' for a in ACTIONS))
        if run.prune_skipped_reason:
            self.stdout.write(f'Not pruned: {run.prune_skipped_reason}')
        if run.status == SyncRunStatusChoices.FAILED:
            raise CommandError(run.error)
