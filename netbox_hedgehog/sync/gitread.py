"""The desired state of a fabric with Git settings, for one sync: fetch the branch, and parse it unless NetBox
already holds the desired state of that commit."""
from dataclasses import dataclass

from netbox_hedgehog.choices import SyncActionChoices, SyncRunStatusChoices
from netbox_hedgehog.gitops.reader import normalize_path, read_desired
from netbox_hedgehog.gitops.repository import fabric_repository
from netbox_hedgehog.models import Fabric, SyncRun

__all__ = (
    'DesiredState',
    'load_desired',
)


@dataclass
class DesiredState:
    """The commit a sync read, and what it found there (`read` is None when the commit was not parsed again)."""
    commit: str
    read: object = None

    @property
    def errors(self):
        return self.read.errors if self.read else []

    def objects(self, kind):
        """{name: ParsedObject} of one kind, or None when the stored desired state is reused."""
        return self.read.objects.get(kind, {}) if self.read else None


def _loaded_cleanly(fabric, commit):
    """Whether NetBox holds the desired state of `commit` from a read without errors (no need to parse it again)."""
    # Read from the database: a failed write to Git clears it while the fabric object may be older.
    if not commit or Fabric.objects.filter(pk=fabric.pk).values_list('git_commit', flat=True).first() != commit:
        return False
    run = SyncRun.objects.filter(
        fabric=fabric, dry_run=False, git_commit=commit,
        status__in=(SyncRunStatusChoices.SUCCEEDED, SyncRunStatusChoices.PARTIAL),
    ).order_by('-created').first()
    return run is not None and not run.changes.filter(action=SyncActionChoices.ERROR).exclude(git_file='').exists()


def load_desired(fabric, log):
    """Fetch the fabric's branch and return its DesiredState; raises GitError when the repository cannot be read."""
    with fabric_repository(fabric) as repository:
        head = repository.fetch()
        short = head.hexsha[:12]
        if _loaded_cleanly(fabric, head.hexsha):
            log(f'Git: commit {short} is unchanged since the last sync; the stored desired state is used')
            return DesiredState(head.hexsha)
        read = read_desired(repository, head, normalize_path(fabric.git_path), fabric.kubernetes_namespace)
    log(f'Git: read {read.count} object(s) from {read.files} file(s) at commit {short}')
    for error in read.errors:
        log(f'Git: {error}')
    return DesiredState(head.hexsha, read)
