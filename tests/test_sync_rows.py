"""Every row a sync writes, compared with a stored expectation: the sync may get faster, what it writes may not change.

For the demo fabric and a small generated one, a sequence of syncs (initial, unchanged, a row changed in NetBox
outside the write path and restored, objects recreated with the same content, the benchmark's 1% changes and 0.5%
deletions with one new object, a dry run) is run against the Kubernetes API test server. After each, the rows the
run wrote are read back in a normalised form (database ids, timestamps, uids and resourceVersions masked; objects
named by kind and name): the plugin's rows of the fabric, the run's ObjectChange records, the search index's
CachedValue rows of the fabric's objects, the run's SyncChange rows, its counts, status and log.

The expectation, tests/expected/sync_rows.json, was written by the engine before it was tuned. After a deliberate
change of what a sync writes, rewrite it with `HEDGEHOG_RECORD_SYNC_ROWS=1` and review its diff.
"""
import json
import os
import re
from pathlib import Path

from core.models import ObjectChange
from extras.models import CachedValue

from bench.generate import generate
from bench.mutate import apply_mutations, list_objects, plan_mutations
from bench.shapes import SIZES
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import SyncChange
from tests.cluster import FILES, ClusterTestCase

EXPECTED = Path(__file__).resolve().parent / 'expected' / 'sync_rows.json'
RECORD = os.environ.get('HEDGEHOG_RECORD_SYNC_ROWS') == '1'
SEED = 17
MASKED = '<masked>'
# Values that differ from one test run to the next whatever the engine does.
MASKED_KEYS = {'id', 'created', 'last_updated', 'fabric', 'fabric_id', 'uid', 'resource_version',
               'creation_timestamp', 'git_pending_since', 'apply_pending_since'}
UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
TIMESTAMP = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?')
LOG_TIME = re.compile(r'^\d\d:\d\d:\d\d ', re.MULTILINE)
RUN_NUMBER = re.compile(r'#\d+')
VERIFIED = {True: '<resource_version>', False: '<another version>'}
NEW_SERVER = {
    'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'Server',
    'metadata': {'name': 'server-rows', 'namespace': 'default'}, 'spec': {'description': 'added'},
}


def normalised(value, key=None):
    """`value` as JSON data with what varies between test runs masked."""
    if key in MASKED_KEYS and value not in (None, '', [], {}):
        return MASKED
    if isinstance(value, dict):
        return {str(k): normalised(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalised(v) for v in value]
    if isinstance(value, str):
        return RUN_NUMBER.sub('#N', TIMESTAMP.sub('<time>', UUID.sub('<uuid>', value)))
    if value is None or isinstance(value, bool | int | float):
        return value
    return normalised(str(value))


def _sorted(rows):
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True))


def written_rows(fabric, run):
    """What `run` left in the database, normalised and in a stable order."""
    names = {}
    objects = {}
    for kind_spec in KINDS:
        model = kind_spec.model
        for row in model.objects.filter(fabric=fabric).order_by('name'):
            names[(model._meta.model_name, row.pk)] = f'{kind_spec.kind}/{row.name}'
            fields = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
            # The cluster's version the row mirrors is masked like the version itself, but whether it is the row's.
            if row.verified_version:
                fields['verified_version'] = VERIFIED[row.verified_version == row.resource_version]
            objects[f'{kind_spec.kind}/{row.name}'] = normalised(fields)
    changes = [
        normalised({
            'action': c.action, 'model': c.changed_object_type.model, 'repr': c.object_repr, 'message': c.message,
            'user_name': c.user_name, 'pre': c.prechange_data, 'post': c.postchange_data,
            'object_known': (c.changed_object_type.model, c.changed_object_id) in names,
        })
        for c in ObjectChange.objects.filter(request_id=run.request_id).select_related('changed_object_type')
    ]
    search = [
        normalised({'object': names[(v.object_type.model, v.object_id)], 'field': v.field, 'type': v.type,
                    'weight': v.weight, 'value': v.value})
        for v in CachedValue.objects.select_related('object_type')
        if (v.object_type.model, v.object_id) in names
    ]
    sync_changes = [
        normalised({'kind': c.kind, 'name': c.name, 'action': c.action, 'has_object': c.object_id is not None,
                    'diff': c.diff, 'message': c.message, 'git_file': c.git_file})
        for c in SyncChange.objects.filter(run=run)
    ]
    return {
        'run': normalised({'status': run.status, 'counts': run.counts, 'pruned': run.pruned, 'error': run.error,
                           'prune_skipped_reason': run.prune_skipped_reason,
                           'log': LOG_TIME.sub('', run.log)}),
        'objects': objects,
        'object_changes': _sorted(changes),
        'search_values': _sorted(search),
        'sync_changes': _sorted(sync_changes),
    }


class SyncRowsTest(ClusterTestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expected = {} if RECORD else json.loads(EXPECTED.read_text())
        cls.recorded = {}

    @classmethod
    def tearDownClass(cls):
        if RECORD:
            recorded = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
            recorded.update(cls.recorded)
            EXPECTED.parent.mkdir(exist_ok=True)
            EXPECTED.write_text(json.dumps(recorded, indent=1, sort_keys=True) + '\n')
        super().tearDownClass()

    def check(self, label, fabric, run):
        rows = written_rows(fabric, run)
        if RECORD:
            self.recorded[label] = rows
            return
        expected = self.expected[label]
        for part in rows:
            with self.subTest(step=label, part=part):
                self.assertEqual(rows[part], expected[part])

    def run_steps(self, name):
        """The sequence of syncs described in the module's docstring, each checked."""
        fabric = self.make_fabric(name=name)
        self.check(f'{name}/initial', fabric, self.sync(fabric))
        self.check(f'{name}/unchanged', fabric, self.sync(fabric))

        switch = KINDS[0].model.objects.filter(fabric=fabric).order_by('name').first()
        KINDS[0].model.objects.filter(pk=switch.pk).update(labels={'edited': 'by-hand'})
        self.check(f'{name}/restored', fabric, self.sync(fabric))

        objects = sorted(list_objects(self.kube.kubeconfig()), key=lambda o: (o['kind'], o['metadata']['name']))
        for obj in objects[:2]:
            source = self.kube.delete(obj['kind'], obj['metadata']['name'])
            kept = {k: v for k, v in source['metadata'].items() if k in ('name', 'namespace', 'labels', 'annotations')}
            self.kube.put({**source, 'metadata': kept})
        self.check(f'{name}/recreated', fabric, self.sync(fabric))

        # The demo's gateway predates the webhook's vtepMAC rule: the admission would refuse any change of it.
        changes, deletions = plan_mutations([o for o in objects if o['kind'] != 'Gateway'], SEED)
        apply_mutations(self.kube.kubeconfig(), changes, deletions)
        self.kube.put(NEW_SERVER)
        self.check(f'{name}/changed', fabric, self.sync(fabric))

        self.kube.delete('Server', NEW_SERVER['metadata']['name'])
        self.check(f'{name}/dry-run', fabric, self.sync(fabric, dry_run=True))

    def test_demo_fabric(self):
        for path in FILES:
            self.kube.load_yaml(path)
        self.run_steps('demo')

    def test_generated_fabric(self):
        for obj in generate(SIZES['tiny'], SEED):
            self.kube.put(obj)
        self.run_steps('generated')
