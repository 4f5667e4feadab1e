"""One cached clone per fabric: fetch the branch, read files of a commit, commit changes and push them.

The clone is a bare repository in `<git_cache_dir>/<fabric id>` whose `origin` is the fabric's URL exactly as stored
(never with credentials). Fetches are shallow. Commits are built from blobs and trees without a working tree, so a
sync reading the clone and a job writing to it never see half-written files; a file lock serialises them anyway.
Every git failure becomes a GitError whose message names the repository and never a credential.
"""
import fcntl
import io
import os
from contextlib import contextmanager
from pathlib import Path

from git import Actor, Commit, Repo
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError
from git.index import IndexFile
from git.index.typ import BaseIndexEntry, IndexEntry
from gitdb import IStream

from netbox_hedgehog import destinations, get_setting

from .credentials import git_environment, safe_url, scrub

__all__ = (
    'GitError',
    'PushRejected',
    'YAML_SUFFIXES',
    'fabric_repository',
)

YAML_SUFFIXES = ('.yaml', '.yml')

# Seconds one git command may take before it is killed.
GIT_TIMEOUT = 300

# Options of every git command: no stored credentials are read or written, and no helper programs are run.
_GIT_OPTIONS = ('-c', 'credential.helper=', '-c', 'protocol.ext.allow=never', '-c', 'core.askPass=')

# How far the tracked branch's history is fetched to find a merged review branch: rounds of commits.
_DEEPEN_STEP = 100
_DEEPEN_ROUNDS = 20

# Bytes per second below which an HTTP transfer counts as stalled (for git_stall_timeout seconds).
_LOW_SPEED_LIMIT = 1024

# Lines of git's error output that quote what the server sent (an HTTP error body, a hook's output): never shown.
_REMOTE_PREFIX = 'remote:'


def _git_options():
    """The -c options of every git command: no credential helpers, only the allowed transports, and stalled
    transfers given up after git_stall_timeout seconds."""
    stall = get_setting('git_stall_timeout')
    return [*_GIT_OPTIONS, *destinations.git_protocol_options(),
            '-c', f'http.lowSpeedLimit={_LOW_SPEED_LIMIT}', '-c', f'http.lowSpeedTime={stall}']


# What git says, mapped to what a person should check.
_HINTS = (
    (('Authentication failed', 'could not read Username', 'could not read Password', 'HTTP Basic: Access denied',
      'returned error: 401', 'returned error: 403', 'Permission denied (publickey'),
     'the repository rejected the credentials (check the fabric\'s Git token or SSH key)'),
    (("couldn't find remote ref",), 'the branch does not exist in the repository'),
    (('Could not resolve host', 'Could not resolve hostname'), 'the host name could not be resolved'),
    (('Connection refused', 'Failed to connect'), 'the connection was refused'),
    (('timed out', 'Operation too slow'), 'the server did not answer in time'),
    (('not found', 'does not appear to be a git repository', 'does not exist'), 'the repository was not found'),
    (('SSL certificate problem', 'server certificate verification failed'), 'TLS verification of the server failed'),
    (('Host key verification failed',), 'the SSH host key of the server changed or cannot be verified'),
)


class GitError(Exception):
    """A failure talking to the fabric's Git repository, with a message fit for people and free of secrets."""


class PushRejected(GitError):
    """The remote branch moved since it was fetched: the push was not a fast-forward."""


def _summary(stderr):
    """git's own error output on one line, without the lines quoting the server ("remote: ...")."""
    text = str(stderr or '').strip()
    if text.startswith("stderr: '"):
        text = text[len("stderr: '"):].rstrip("'")
    lines = (' '.join(line.split()) for line in text.splitlines())
    return ' '.join(line for line in lines if line and not line.startswith(_REMOTE_PREFIX))


def _describe(action, url, error, secrets):
    detail = scrub(_summary(error.stderr), secrets)
    hint = next((text for needles, text in _HINTS if any(n in detail for n in needles)), '')
    where = safe_url(url)
    message = f'Git: {action} {where} failed'
    if hint:
        message += f': {hint}'
    if detail:
        message += f' ({detail[:300]})'
    return message + '.'


class FabricRepository:
    """The cached clone of one fabric's repository, used inside `fabric_repository()` only."""

    def __init__(self, fabric, repo, env, secrets):
        self.fabric = fabric
        self.repo = repo
        self.env = env
        self.secrets = secrets
        self.branch = fabric.git_branch
        self.remote_ref = f'refs/remotes/origin/{self.branch}'
        # The branch edits are committed to: the review branch when the fabric has one, else the tracked branch.
        self.write_branch = fabric.git_write_branch or self.branch
        self.write_ref = f'refs/remotes/origin/{self.write_branch}'

    def _git(self, action, *args):
        try:
            return self.repo.git.execute(
                ['git', *_git_options(), *args], env=self.env, kill_after_timeout=GIT_TIMEOUT,
                with_extended_output=True,
            )
        except GitCommandError as e:
            raise GitError(_describe(action, self.fabric.git_url, e, self.secrets)) from None

    def fetch(self):
        """Fetch the branch (shallow) and return its head commit."""
        self._git('fetching branch ' + repr(self.branch) + ' from', 'fetch', '--depth', '1', '--no-tags',
                  '--prune', 'origin', f'+refs/heads/{self.branch}:{self.remote_ref}')
        return self.repo.commit(self.remote_ref)

    def fetch_review(self):
        """Fetch the review branch after `fetch()`: (its head commit, or None when the branch does not exist, and the
        number of its commits that are not on the tracked branch).

        Only those commits are fetched (git's --shallow-exclude of the tracked branch), so the count needs no more
        history than that however long the repository's is."""
        _status, out, _err = self._git('reading the branches of', 'ls-remote', 'origin',
                                       f'refs/heads/{self.write_branch}')
        sha = next((line.split()[0] for line in out.splitlines()
                    if line.split()[1:] == [f'refs/heads/{self.write_branch}']), None)
        if sha is None:
            self.repo.git.update_ref('-d', self.write_ref)
            return None, 0
        try:
            self._git(f'fetching the review branch {self.write_branch!r} from', 'fetch', '--no-tags',
                      f'--shallow-exclude=refs/heads/{self.branch}', 'origin',
                      f'+refs/heads/{self.write_branch}:{self.write_ref}')
        except GitError:
            # git refuses that fetch when every commit of the review branch is on the tracked branch ("no commits
            # selected for shallow requests"; over HTTP "error processing shallow info").
            return self._merged_review(sha), 0
        head = self.repo.commit(self.write_ref)
        return head, self.waiting(head)

    def waiting(self, commit):
        """How many commits of `commit`'s history are not on the tracked branch (as last fetched)."""
        _status, out, _err = self._git('counting the commits of the review branch of', 'rev-list', '--count',
                                       commit.hexsha, f'^{self.remote_ref}')
        return int(out.strip() or 0)

    def _merged_review(self, sha):
        """The head (`sha`) of a review branch whose every commit is on the tracked branch. The tracked branch's
        history is fetched deep enough to contain it, so that a commit on top of the tracked head is seen (by git push
        too) as a fast-forward of the review branch."""
        for _round in range(_DEEPEN_ROUNDS):
            if self._is_ancestor(sha, self.remote_ref):
                self.repo.git.update_ref(self.write_ref, sha)
                return self.repo.commit(sha)
            self._git(f'fetching the history of branch {self.branch!r} from', 'fetch', f'--deepen={_DEEPEN_STEP}',
                      '--no-tags', 'origin', f'+refs/heads/{self.branch}:{self.remote_ref}')
        raise GitError(f'Git: the review branch {self.write_branch!r} of {safe_url(self.fabric.git_url)} could not be '
                       f'fetched, and its head is not among the last {_DEEPEN_ROUNDS * _DEEPEN_STEP} commits of '
                       f'{self.branch!r}; if it was merged long ago, delete it so that NetBox creates it again.')

    def _is_ancestor(self, sha, ref):
        try:
            self.repo.git.execute(['git', 'merge-base', '--is-ancestor', sha, ref], env=self.env)
        except GitCommandError:
            return False
        return True

    def files(self, commit, root):
        """{repository path: text} of every YAML file under `root` (the whole tree when empty) in `commit`."""
        tree = commit.tree
        if root:
            try:
                tree = tree / root
            except KeyError:
                raise GitError(f'Git: the path {root!r} does not exist in branch {self.branch!r} of '
                               f'{safe_url(self.fabric.git_url)} (commit {commit.hexsha[:12]}).') from None
            if tree.type != 'tree':
                raise GitError(f'Git: {root!r} is a file, not a directory, in {safe_url(self.fabric.git_url)}.')
        limit = get_setting('yaml_max_bytes')
        files = {}
        for item in tree.traverse():
            if item.type != 'blob' or not item.path.lower().endswith(YAML_SUFFIXES):
                continue
            if item.size > limit:
                raise GitError(f'Git: the file {item.path!r} is {item.size:,} bytes long, more than the {limit:,} '
                               f'bytes allowed (plugin setting yaml_max_bytes); split it into smaller files.')
            files[item.path] = item.data_stream.read().decode('utf-8', errors='replace')
        return files

    def read(self, commit, path):
        """The text of one file in `commit`, or None when it does not exist."""
        try:
            blob = commit.tree / path
        except KeyError:
            return None
        return blob.data_stream.read().decode('utf-8', errors='replace') if blob.type == 'blob' else None

    def commit(self, parent, changes, message):
        """A new commit on top of `parent` with `changes` ({path: text, or None to delete}); nothing is pushed."""
        index = IndexFile.from_tree(self.repo, parent.tree)
        for path, text in changes.items():
            if text is None:
                index.entries.pop((path, 0), None)
                continue
            data = text.encode()
            blob = self.repo.odb.store(IStream('blob', len(data), io.BytesIO(data)))
            index.entries[(path, 0)] = IndexEntry.from_base(BaseIndexEntry((0o100644, blob.binsha, 0, path)))
        author = Actor(self.fabric.git_author_name, self.fabric.git_author_email)
        return Commit.create_from_tree(self.repo, index.write_tree(), message, parent_commits=[parent], head=False,
                                       author=author, committer=author)

    def push(self, commit):
        """Push `commit` to the write branch (a fast-forward or a new branch only, never forced); raises PushRejected
        if the remote branch moved."""
        refspec = f'{commit.hexsha}:refs/heads/{self.write_branch}'
        try:
            self.repo.git.execute(['git', *_git_options(), 'push', '--porcelain', 'origin', refspec], env=self.env,
                                  kill_after_timeout=GIT_TIMEOUT, with_extended_output=True)
        except GitCommandError as e:
            output = f'{e.stdout or ""} {e.stderr or ""}'
            if '[rejected]' in output or 'non-fast-forward' in output or 'fetch first' in output:
                raise PushRejected(f'Git: the push to {safe_url(self.fabric.git_url)} was rejected because the '
                                   f'branch {self.write_branch!r} moved.') from None
            raise GitError(_describe('pushing to', self.fabric.git_url, e, self.secrets)) from None


def _open(path, url):
    """The bare clone at `path` with `origin` set to `url`, created when missing or unusable."""
    try:
        repo = Repo(path)
        if not repo.bare:
            raise InvalidGitRepositoryError(path)
    except (InvalidGitRepositoryError, NoSuchPathError):
        repo = Repo.init(path, bare=True, mkdir=True)
    if 'origin' in [remote.name for remote in repo.remotes]:
        if repo.remotes.origin.url != url:
            repo.git.remote('set-url', '--', 'origin', url)
    else:
        repo.git.remote('add', '--', 'origin', url)
    return repo


@contextmanager
def fabric_repository(fabric):
    """Yield the FabricRepository of `fabric`, holding its lock and its credentials for the duration of the block."""
    if problem := destinations.git_url_problem(fabric.git_url):
        # Checked again here: the plugin settings may have been tightened since the URL was stored.
        raise GitError(f'Git: not connecting to the repository: {problem}')
    cache = Path(get_setting('git_cache_dir'))
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(cache / f'{fabric.pk}.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            repo = _open(os.fspath(cache / str(fabric.pk)), fabric.git_url)
            with git_environment(fabric, cache / f'{fabric.pk}.known_hosts') as (env, secrets):
                yield FabricRepository(fabric, repo, env, secrets)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
