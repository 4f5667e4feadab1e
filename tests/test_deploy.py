"""The deployment files under deploy/ (netbox-docker, Kubernetes, fabric access).

No Docker engine or Kubernetes cluster runs here, so these tests check what can be checked without one: every file
parses, every NetBox management command a file runs exists in this project with the arguments given, the netbox-docker
files fit netbox-docker's layout and each other, the manifests wire the processes together as documented, the RBAC
roles match the plugin's kind registry, the kubeconfig script produces a kubeconfig the plugin accepts, and the plugin
configuration snippet boots NetBox.
"""

import base64
import json
import os
import runpy
import shlex
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands, load_command_class
from django.core.management.base import CommandError
from kubernetes import client as k8s
from kubernetes.config.kube_config import KubeConfigLoader
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from netbox_hedgehog import HedgehogConfig, __version__, validate_settings
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.kubeconfig import problem as kubeconfig_problem
from netbox_hedgehog.live.agents import AGENT
from netbox_hedgehog.validation.config import CONFIG_MAP, CONFIG_MAP_NAME, CONFIG_MAP_NAMESPACE

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPLOY = REPO_ROOT / 'deploy'
DOCKER = DEPLOY / 'docker'
KUBERNETES = DEPLOY / 'kubernetes'
FABRIC_ACCESS = KUBERNETES / 'fabric-access'
DOCKERFILE = DOCKER / 'Dockerfile-Plugins'
COMPOSE_FILE = DOCKER / 'docker-compose.override.yml'
PLUGIN_REQUIREMENTS = DOCKER / 'plugin_requirements.txt'
PLUGINS_SNIPPET = DOCKER / 'configuration' / 'plugins.py'
MAKE_KUBECONFIG = FABRIC_ACCESS / 'make-kubeconfig.sh'

# netbox-docker's layout (its releases for NetBox 4.7): the image's virtualenv, made and managed with uv (no pip), and
# manage.py; the services of its docker-compose.yml that run the image (no netbox-housekeeping: netbox-docker dropped
# it for NetBox 4.4, and NetBox 4.7 has no housekeeping command), the user they run as, their environment file and
# the configuration folder they mount.
IMAGE_PYTHON = '/opt/netbox/venv/bin/python'
IMAGE_MANAGE_PY = '/opt/netbox/netbox/manage.py'
IMAGE_UV = '/usr/local/bin/uv'
NETBOX_DOCKER_SERVICES = ('netbox', 'netbox-worker')
NETBOX_DOCKER_USER = 'netbox:root'
NETBOX_DOCKER_ENV_FILE = 'env/netbox.env'
NETBOX_DOCKER_CONFIG_MOUNT = './configuration:/etc/netbox/config:z,ro'
NETBOX_SERVICES = (*NETBOX_DOCKER_SERVICES, 'netbox-scheduler')
HEDGEHOG_GROUPS = {'wiring.githedgehog.com', 'vpc.githedgehog.com', 'gateway.githedgehog.com'}
READ_VERBS = {'get', 'list', 'watch'}
WRITE_VERBS = {'create', 'update', 'patch', 'delete'}


#
# Reading the files
#

def yaml_documents(path):
    """Every non-empty document of a (possibly multi-document) YAML file."""
    with path.open(encoding='utf-8') as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def compose():
    return yaml_documents(COMPOSE_FILE)[0]


def kubernetes_objects():
    """(file, object) for every object of every manifest under deploy/kubernetes."""
    return [(path, doc) for path in sorted(KUBERNETES.rglob('*.y*ml')) for doc in yaml_documents(path)]


def objects_of_kind(kind, directory=KUBERNETES):
    return [doc for path, doc in kubernetes_objects() if doc['kind'] == kind and directory in path.parents]


def deployment(name):
    (found,) = [doc for doc in objects_of_kind('Deployment') if doc['metadata']['name'] == name]
    return found


def dockerfile_instructions():
    """(INSTRUCTION, arguments) of deploy/docker/Dockerfile-Plugins, continuation lines joined, comments dropped."""
    instructions, current = [], ''
    for line in DOCKERFILE.read_text(encoding='utf-8').splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith('#'):
            continue
        if stripped.endswith('\\'):
            current += stripped.removesuffix('\\') + ' '
            continue
        keyword, _, arguments = (current + stripped).partition(' ')
        instructions.append((keyword.upper(), ' '.join(arguments.split())))
        current = ''
    return instructions


def shell_commands(script):
    """The simple commands (word lists) of a shell command line, split at &&, || and ;."""
    commands, words = [], []
    for word in shlex.split(script):
        if word in ('&&', '||', ';'):
            commands.append(words)
            words = []
        else:
            words.append(word)
    return [*commands, words]


def management_command(argv):
    """The management command and its arguments in `argv` (`... manage.py CMD ARGS`), or None."""
    for i, word in enumerate(argv):
        if Path(word).name == 'manage.py':
            return argv[i + 1:]
    return None


def compose_argvs(service):
    """The command lines of a Compose service: its command and its health check."""
    argvs = []
    command = service.get('command')
    if command is not None:
        argvs.append(command if isinstance(command, list) else shlex.split(command))
    test = service.get('healthcheck', {}).get('test')
    if isinstance(test, str):
        argvs.extend(shell_commands(test))
    elif test and test[0] == 'CMD':
        argvs.append(test[1:])
    elif test and test[0] == 'CMD-SHELL':
        argvs.extend(shell_commands(test[1]))
    return argvs


def container_argvs(container):
    """The command lines of a Kubernetes container: its command/args and its probes."""
    argvs = [container.get('command', []) + container.get('args', [])]
    for probe in ('livenessProbe', 'readinessProbe', 'startupProbe'):
        if 'exec' in container.get(probe, {}):
            argvs.append(container[probe]['exec']['command'])
    return argvs


def every_command_line():
    """(where, argv) for every command line a deploy file runs."""
    found = []
    for name, service in compose()['services'].items():
        found += [(f'{COMPOSE_FILE.name} service {name}', argv) for argv in compose_argvs(service)]
    for doc in objects_of_kind('Deployment'):
        for container in doc['spec']['template']['spec']['containers']:
            where = f'Deployment {doc["metadata"]["name"]} container {container["name"]}'
            found += [(where, argv) for argv in container_argvs(container)]
    for keyword, arguments in dockerfile_instructions():
        if keyword == 'RUN':
            found += [(f'Dockerfile RUN {arguments[:60]}...', argv) for argv in shell_commands(arguments)]
    return found


def management_invocations():
    """(where, argv, [command, *arguments]) for every NetBox management command a deploy file runs."""
    return [(where, argv, management_command(argv)) for where, argv in every_command_line()
            if management_command(argv) is not None]


#
# Every file parses; every command exists
#

def test_every_yaml_file_under_deploy_parses():
    """Each YAML file under deploy/ loads (all documents of multi-document files), and none is empty."""
    paths = sorted(DEPLOY.rglob('*.y*ml'))
    assert len(paths) >= 6, paths
    for path in paths:
        assert yaml_documents(path), f'{path.relative_to(REPO_ROOT)} holds no YAML document'


def test_every_kubernetes_manifest_names_its_api_version_kind_and_name():
    """kubectl needs apiVersion, kind and metadata.name on every object."""
    objects = kubernetes_objects()
    assert objects
    for path, doc in objects:
        where = path.relative_to(REPO_ROOT)
        assert isinstance(doc, dict), f'{where}: a document is not a mapping'
        assert doc.get('apiVersion') and doc.get('kind'), f'{where}: an object has no apiVersion or kind'
        assert doc.get('metadata', {}).get('name'), f'{where}: a {doc["kind"]} has no metadata.name'


def test_every_management_command_a_deploy_file_runs_exists_with_its_arguments():
    """Each `manage.py CMD ARGS` in the Dockerfile, the Compose override and the manifests names a command this
    project (NetBox with the plugin enabled) has, and the command's own parser accepts the arguments."""
    invocations = management_invocations()
    names = {args[0] for _, _, args in invocations}
    # The extraction itself must see the processes the files are about.
    assert {'rqworker', 'hedgehog_scheduler'} <= names, names
    commands = get_commands()
    for where, _, (name, *arguments) in invocations:
        assert name in commands, f'{where}: `{name}` is not a management command of NetBox with the plugin'
        parser = load_command_class(commands[name], name).create_parser('manage.py', name)
        try:
            parser.parse_args(arguments)
        except CommandError as e:
            pytest.fail(f'{where}: `manage.py {name} {" ".join(arguments)}` is rejected: {e}', pytrace=False)


def test_management_commands_run_with_the_image_interpreter():
    """The NetBox image has its packages in /opt/netbox/venv: manage.py must run with that venv's python."""
    for where, argv, _ in management_invocations():
        manage_py = next(i for i, word in enumerate(argv) if Path(word).name == 'manage.py')
        assert argv[manage_py] == IMAGE_MANAGE_PY, f'{where}: {argv}'
        assert manage_py >= 1 and argv[manage_py - 1] == IMAGE_PYTHON, f'{where}: {argv}'


#
# netbox-docker: Dockerfile-Plugins and plugin_requirements.txt
#

def plugin_requirements():
    """The requirements of plugin_requirements.txt (comments and blank lines skipped)."""
    lines = [line.strip() for line in PLUGIN_REQUIREMENTS.read_text(encoding='utf-8').splitlines()]
    return [Requirement(line) for line in lines if line and not line.startswith('#')]


def test_dockerfile_extends_the_netbox_4_7_image():
    """The Dockerfile starts FROM netbox-docker's NetBox v4.7 image (ARG defaults resolved), in one stage."""
    instructions = dockerfile_instructions()
    arg_defaults = dict(arguments.partition('=')[::2] for keyword, arguments in instructions
                        if keyword == 'ARG' and '=' in arguments)
    images = []
    for keyword, arguments in instructions:
        if keyword == 'FROM':
            image = arguments.split()[0]
            for name, value in arg_defaults.items():
                image = image.replace(f'${{{name}}}', value)
            images.append(image)
    assert len(images) == 1, images
    repository, _, tag = images[0].removeprefix('docker.io/').partition(':')
    assert repository == 'netboxcommunity/netbox', images
    assert tag == 'v4.7' or tag.startswith(('v4.7.', 'v4.7-')), images


def dockerfile_plugin_install():
    """The one Python package installation the Dockerfile runs, as an argument list."""
    installs = [argv for keyword, arguments in dockerfile_instructions() if keyword == 'RUN'
                for argv in shell_commands(arguments) if 'install' in argv and 'apt-get' not in argv[0]]
    assert len(installs) == 1, installs
    return installs[0]


def test_dockerfile_installs_plugin_requirements_with_the_image_uv():
    """The image's venv has no pip: the Dockerfile copies plugin_requirements.txt and the wheel folder it refers to,
    and installs them with the image's uv into that venv, once, and installs nothing else."""
    instructions = dockerfile_instructions()
    copies = dict(tuple(arguments.split()) for keyword, arguments in instructions if keyword == 'COPY')
    install = dockerfile_plugin_install()
    assert install[:3] == [IMAGE_UV, 'pip', 'install'], install
    assert install[install.index('--python') + 1] == IMAGE_PYTHON, install
    requirements = install[install.index('-r') + 1]
    assert Path(copies[PLUGIN_REQUIREMENTS.name].rstrip('/')) / PLUGIN_REQUIREMENTS.name == Path(requirements), copies
    (hedgehog,) = plugin_requirements()
    wheel_folder = Path(hedgehog.url.removeprefix('file://')).parent
    assert Path(copies['plugin-wheels/'].rstrip('/')) == wheel_folder, (copies, hedgehog.url)
    for keyword, arguments in instructions:
        assert 'bin/pip ' not in arguments + ' ', f'{keyword} {arguments}: the image venv has no pip'


def test_plugin_requirements_install_this_version_from_its_wheel_and_not_netbox():
    """plugin_requirements.txt installs netbox-hedgehog, the version pyproject.toml and the package declare, from the
    wheel `python -m build` names for it; NetBox itself is neither listed nor required by the package."""
    project = tomllib.loads((REPO_ROOT / 'pyproject.toml').read_text(encoding='utf-8'))['project']
    assert project['version'] == __version__
    assert 'netbox' not in {canonicalize_name(Requirement(r).name) for r in project['dependencies']}, (
        'the package must not require netbox: an installer would pull a second NetBox into the image')
    (hedgehog,) = plugin_requirements()
    assert canonicalize_name(hedgehog.name) == 'netbox-hedgehog'
    assert hedgehog.url == f'file:///opt/netbox/plugin-wheels/netbox_hedgehog-{__version__}-py3-none-any.whl'


#
# netbox-docker: docker-compose.override.yml
#

def test_override_adds_the_scheduler_beside_netbox_dockers_own_services():
    """The override touches netbox-docker's netbox and netbox-worker (it must not name a service netbox-docker does
    not have, such as the netbox-housekeeping of old releases: Compose would start it half-defined) and adds
    netbox-scheduler running `hedgehog_scheduler`, healthy only while `hedgehog_scheduler --status` passes."""
    services = compose()['services']
    assert set(services) == set(NETBOX_SERVICES), set(services)
    assert 'command' not in services['netbox'], 'the netbox service runs the image default (the web server)'
    assert 'command' not in services['netbox-worker'], "netbox-docker's worker already runs rqworker"
    scheduler_command, scheduler_health = compose_argvs(services['netbox-scheduler'])
    assert management_command(scheduler_command) == ['hedgehog_scheduler']
    assert management_command(scheduler_health) == ['hedgehog_scheduler', '--status']
    assert services['netbox-scheduler']['depends_on'] == {'netbox': {'condition': 'service_healthy'}}


def test_override_runs_the_plugin_image_in_every_netbox_service():
    """netbox builds the image from Dockerfile-Plugins beside the override (the netbox-docker root), and all three
    services run that image, never pulled from a registry under its local name."""
    services = compose()['services']
    build = services['netbox']['build']
    assert (COMPOSE_FILE.parent / build['context'] / build['dockerfile']).resolve() == DOCKERFILE
    assert [name for name, service in services.items() if 'build' in service] == ['netbox']
    for name in NETBOX_SERVICES:
        assert services[name]['image'] == services['netbox']['image'], name
        assert services[name]['pull_policy'] == 'never', name


def test_override_scheduler_runs_like_netbox_dockers_worker():
    """The new service has what netbox-docker gives its worker through the base file: the same user, environment file
    and configuration folder (which holds configuration/plugins.py), and restarts when it stops."""
    scheduler = compose()['services']['netbox-scheduler']
    assert scheduler['user'] == NETBOX_DOCKER_USER
    assert scheduler['env_file'] == NETBOX_DOCKER_ENV_FILE
    assert scheduler['volumes'] == [NETBOX_DOCKER_CONFIG_MOUNT]
    assert scheduler['restart'] == 'unless-stopped'
    source = NETBOX_DOCKER_CONFIG_MOUNT.split(':')[0]
    assert (DOCKER / source / PLUGINS_SNIPPET.name).resolve() == PLUGINS_SNIPPET, 'plugins.py is not in the mount'


#
# Kubernetes: worker and scheduler beside NetBox
#

def test_kubernetes_worker_and_scheduler_deployments():
    """The worker runs rqworker; the scheduler runs hedgehog_scheduler as a single pod (never two during a rollout)
    checked by `hedgehog_scheduler --status`; both select their own pods and run the same image."""
    worker = deployment('netbox-hedgehog-worker')
    scheduler = deployment('netbox-hedgehog-scheduler')
    for doc in (worker, scheduler):
        labels = doc['spec']['template']['metadata']['labels']
        selector = doc['spec']['selector']['matchLabels']
        assert selector.items() <= labels.items(), f'{doc["metadata"]["name"]}: the selector misses its own pods'
    (worker_container,) = worker['spec']['template']['spec']['containers']
    (scheduler_container,) = scheduler['spec']['template']['spec']['containers']
    assert management_command(worker_container['command']) == ['rqworker']
    assert management_command(scheduler_container['command']) == ['hedgehog_scheduler']
    assert scheduler['spec']['replicas'] == 1
    assert scheduler['spec']['strategy']['type'] == 'Recreate', 'a rolling update would run two schedulers'
    liveness = scheduler_container['livenessProbe']['exec']['command']
    assert management_command(liveness) == ['hedgehog_scheduler', '--status']
    assert worker_container['image'] == scheduler_container['image']


def test_kubernetes_worker_and_scheduler_mount_the_same_netbox_configuration():
    """Both pods mount NetBox's configuration (the documented ConfigMap and Secret names) identically, and every
    mount refers to a volume of the pod."""
    mounts = {}
    for name in ('netbox-hedgehog-worker', 'netbox-hedgehog-scheduler'):
        pod = deployment(name)['spec']['template']['spec']
        volumes = {volume['name']: volume for volume in pod['volumes']}
        (container,) = pod['containers']
        for mount in container['volumeMounts']:
            assert mount['name'] in volumes, f'{name}: volume {mount["name"]} is not defined'
        assert volumes['config']['configMap']['name'] == 'netbox', name
        assert volumes['secrets']['secret']['secretName'] == 'netbox-config', name
        mounts[name] = (container['volumeMounts'], pod['volumes'])
    assert mounts['netbox-hedgehog-worker'] == mounts['netbox-hedgehog-scheduler']


#
# Kubernetes: fabric access
#

def permissions(role):
    """{(API group, resource): verbs} granted by a ClusterRole."""
    granted = {}
    for rule in role['rules']:
        for group in rule['apiGroups']:
            for resource in rule['resources']:
                granted.setdefault((group, resource), set()).update(rule['verbs'])
    return granted


def cluster_role(name):
    (found,) = [doc for doc in objects_of_kind('ClusterRole', FABRIC_ACCESS) if doc['metadata']['name'] == name]
    return found


def test_readonly_role_reads_exactly_the_hedgehog_kinds():
    """get/list/watch on every plural of the kind registry, in exactly the three Hedgehog API groups, and nothing
    more: a kind added to KINDS without the RBAC change fails here. Agents are read too (the live state)."""
    granted = permissions(cluster_role('netbox-hedgehog-readonly'))
    assert set(granted) == {(k.group, k.plural) for k in (*KINDS, AGENT)}
    assert {group for group, _ in granted} == {*HEDGEHOG_GROUPS, AGENT.group}
    for resource, verbs in granted.items():
        assert verbs == READ_VERBS, f'{resource}: {sorted(verbs)}'


def test_readwrite_role_adds_writes_on_the_kinds_netbox_may_write():
    """The read-only role's permissions plus create/update/patch/delete, except on the kinds the registry marks
    read-only (they come with the fabric)."""
    granted = permissions(cluster_role('netbox-hedgehog-readwrite'))
    assert set(granted) == {(k.group, k.plural) for k in (*KINDS, AGENT)}
    assert {group for group, _ in granted} == {*HEDGEHOG_GROUPS, AGENT.group}
    assert granted[(AGENT.group, AGENT.plural)] == READ_VERBS
    for kind in KINDS:
        expected = READ_VERBS if kind.read_only else READ_VERBS | WRITE_VERBS
        assert granted[(kind.group, kind.plural)] == expected, kind.kind


def test_fabric_service_account_token_and_bindings():
    """The ServiceAccount netbox-hedgehog in `default`, its long-lived token Secret, and a binding of each role to
    that ServiceAccount."""
    (account,) = objects_of_kind('ServiceAccount', FABRIC_ACCESS)
    assert account['metadata'] == {'name': 'netbox-hedgehog', 'namespace': 'default'}
    (token,) = objects_of_kind('Secret', FABRIC_ACCESS)
    assert token['type'] == 'kubernetes.io/service-account-token'
    assert token['metadata']['namespace'] == 'default'
    assert token['metadata']['annotations']['kubernetes.io/service-account.name'] == 'netbox-hedgehog'
    roles = {doc['metadata']['name'] for doc in objects_of_kind('ClusterRole', FABRIC_ACCESS)}
    bindings = objects_of_kind('ClusterRoleBinding', FABRIC_ACCESS)
    assert {binding['roleRef']['name'] for binding in bindings} == roles
    for binding in bindings:
        assert binding['roleRef']['kind'] == 'ClusterRole'
        assert binding['subjects'] == [{'kind': 'ServiceAccount', 'name': 'netbox-hedgehog', 'namespace': 'default'}]


def test_fabric_settings_role_reads_only_the_controller_config_map():
    """get on the ConfigMap fab/fabric-ctrl-config (the fabric settings a sync reads), bound to the ServiceAccount."""
    (role,) = objects_of_kind('Role', FABRIC_ACCESS)
    assert role['metadata'] == {'name': 'netbox-hedgehog-fabric-settings', 'namespace': CONFIG_MAP_NAMESPACE}
    assert role['rules'] == [{'apiGroups': [''], 'resources': [CONFIG_MAP.plural], 'resourceNames': [CONFIG_MAP_NAME],
                              'verbs': ['get']}]
    (binding,) = objects_of_kind('RoleBinding', FABRIC_ACCESS)
    assert binding['metadata'] == role['metadata']
    assert binding['roleRef'] == {'apiGroup': 'rbac.authorization.k8s.io', 'kind': 'Role',
                                  'name': role['metadata']['name']}
    assert binding['subjects'] == [{'kind': 'ServiceAccount', 'name': 'netbox-hedgehog', 'namespace': 'default'}]


#
# make-kubeconfig.sh, run against a fake kubectl
#

SERVER = 'https://fabric.example.net:6443'
TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpuZXRib3gtaGVkZ2Vob2cifQ.c2ln-_'
CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfakeCAcertificateForTests\n-----END CERTIFICATE-----\n'

# Answers exactly the queries make-kubeconfig.sh should make and fails on anything else; every call is logged.
FAKE_KUBECTL = textwrap.dedent('''\
    #!/usr/bin/env bash
    printf '%s\\n' "$*" >> "$FAKE_KUBECTL_LOG"
    secret="--namespace $FAKE_NAMESPACE get secret $FAKE_SECRET -o"
    case "$*" in
        'config view --minify -o jsonpath={.clusters[0].cluster.server}') printf '%s' "$FAKE_SERVER" ;;
        "$secret jsonpath={.data.token}") printf '%s' "$FAKE_TOKEN_B64" ;;
        "$secret jsonpath={.data.ca\\\\.crt}") printf '%s' "$FAKE_CA_B64" ;;
        *) echo "fake kubectl: unexpected arguments: $*" >&2; exit 1 ;;
    esac
''')


@pytest.fixture
def fake_kubectl(tmp_path):
    """Run make-kubeconfig.sh with a fake kubectl first on PATH; returns (run(args, **env), call log path)."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    kubectl = bin_dir / 'kubectl'
    kubectl.write_text(FAKE_KUBECTL)
    kubectl.chmod(0o755)
    log = tmp_path / 'kubectl.log'
    base_env = {key: value for key, value in os.environ.items() if key != 'KUBECTL'}
    base_env.update(
        PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
        FAKE_KUBECTL_LOG=str(log),
        FAKE_NAMESPACE='default',
        FAKE_SECRET='netbox-hedgehog-token',
        FAKE_SERVER=SERVER,
        FAKE_TOKEN_B64=base64.b64encode(TOKEN.encode()).decode(),
        FAKE_CA_B64=base64.b64encode(CA_PEM.encode()).decode(),
        TOKEN_WAIT_SECONDS='0',
    )

    def run(*args, **env):
        return subprocess.run(['bash', str(MAKE_KUBECONFIG), *args], env={**base_env, **env}, capture_output=True,
                              text=True, timeout=60, check=False)

    return run, log


def test_make_kubeconfig_script_is_valid_bash_with_usage():
    """`bash -n` accepts the script, it runs in strict mode, is executable, and -h prints its usage."""
    syntax = subprocess.run(['bash', '-n', str(MAKE_KUBECONFIG)], capture_output=True, text=True, check=False)
    assert syntax.returncode == 0, syntax.stderr
    assert 'set -euo pipefail' in MAKE_KUBECONFIG.read_text()
    assert os.access(MAKE_KUBECONFIG, os.X_OK), 'make-kubeconfig.sh is not executable'
    usage = subprocess.run(['bash', str(MAKE_KUBECONFIG), '-h'], capture_output=True, text=True, check=False)
    assert usage.returncode == 0 and usage.stdout.startswith('Usage: make-kubeconfig.sh'), usage


def test_make_kubeconfig_prints_a_kubeconfig_the_plugin_accepts(fake_kubectl, tmp_path):
    """With the server of the current context, the output is a kubeconfig with the token and CA embedded, which
    the plugin's kubeconfig check accepts and the Kubernetes client turns into the right connection settings."""
    run, log = fake_kubectl
    result = run()
    assert result.returncode == 0, result.stderr
    kubeconfig = yaml.safe_load(result.stdout)
    (cluster,) = kubeconfig['clusters']
    (user,) = kubeconfig['users']
    assert cluster['cluster'] == {'server': SERVER,
                                  'certificate-authority-data': base64.b64encode(CA_PEM.encode()).decode()}
    assert user['user'] == {'token': TOKEN}
    assert kubeconfig_problem(result.stdout) is None

    configuration = k8s.Configuration()
    KubeConfigLoader(config_dict=kubeconfig, config_base_path=str(tmp_path),
                     temp_file_path=str(tmp_path)).load_and_set(configuration)
    assert configuration.host == SERVER
    assert configuration.auth_settings()['BearerToken']['value'] == f'Bearer {TOKEN}'
    assert Path(configuration.ssl_ca_cert).read_text() == CA_PEM
    assert 'config view' in log.read_text()


def test_make_kubeconfig_uses_the_server_argument_and_secret_options(fake_kubectl):
    """An explicit server URL is used as given (the kubectl context is not consulted), -n/-s pick the Secret."""
    run, log = fake_kubectl
    result = run('-n', 'fabric-system', '-s', 'nb-token', 'https://10.0.0.1:6443',
                 FAKE_NAMESPACE='fabric-system', FAKE_SECRET='nb-token')
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)['clusters'][0]['cluster']['server'] == 'https://10.0.0.1:6443'
    assert 'config view' not in log.read_text(), 'the server argument must win over the current context'


@pytest.mark.parametrize(('args', 'env', 'message'), [
    ((), {'FAKE_TOKEN_B64': ''}, 'has no token after 0s'),
    ((), {'FAKE_SERVER': ''}, 'names no API server'),
    (('http://fabric.example.net:6443',), {}, 'must be https://'),
    (('https://a:6443', 'extra'), {}, 'too many arguments'),
])
def test_make_kubeconfig_fails_with_a_message_and_no_output(fake_kubectl, args, env, message):
    """Errors go to standard error with a reason, and nothing half-made reaches standard output."""
    run, _ = fake_kubectl
    result = run(*args, **env)
    assert result.returncode != 0
    assert result.stdout == ''
    assert message in result.stderr


#
# The plugin configuration snippet
#

def snippet_settings():
    namespace = runpy.run_path(str(PLUGINS_SNIPPET))
    assert namespace['PLUGINS'] == ['netbox_hedgehog']
    assert set(namespace['PLUGINS_CONFIG']) == {'netbox_hedgehog'}
    return namespace['PLUGINS_CONFIG']['netbox_hedgehog']


def test_plugin_snippet_sets_every_setting_the_plugin_has_and_nothing_else():
    """The snippet lists exactly the plugin's default_settings keys, with values the plugin's validation accepts."""
    settings = snippet_settings()
    defaults = HedgehogConfig.default_settings
    assert set(settings) - set(defaults) == set(), 'the snippet sets settings the plugin does not have'
    assert set(defaults) - set(settings) == set(), 'the snippet leaves out settings of the plugin'
    # NetBox merges the defaults in; validate what NetBox would hand to the plugin.
    validate_settings({**defaults, **settings})


def test_plugin_snippet_takes_the_credential_keys_from_the_environment(monkeypatch):
    """The credential keys come from env/netbox.env variables, the fallbacks split on whitespace."""
    monkeypatch.setenv('HEDGEHOG_CREDENTIAL_KEY', 'new-key')
    monkeypatch.setenv('HEDGEHOG_CREDENTIAL_KEY_FALLBACKS', 'old-key-1 old-key-2')
    settings = snippet_settings()
    assert settings['credential_key'] == 'new-key'
    assert settings['credential_key_fallbacks'] == ['old-key-1', 'old-key-2']
    validate_settings({**HedgehogConfig.default_settings, **settings})


def test_plugin_snippet_comments_every_setting():
    """Each setting's line is directly preceded by a comment explaining it."""
    lines = PLUGINS_SNIPPET.read_text(encoding='utf-8').splitlines()
    for key in HedgehogConfig.default_settings:
        found = [i for i, line in enumerate(lines) if line.strip().startswith(f"'{key}':")]
        assert len(found) == 1, f'setting {key} is not set exactly once, on a line of its own'
        assert lines[found[0] - 1].strip().startswith('#'), f'setting {key} has no comment above it'


def test_netbox_loads_the_plugin_snippet(tmp_path):
    """NetBox starts with the snippet's PLUGINS and PLUGINS_CONFIG on top of the development configuration (database,
    Redis, secret key): the plugin loads, accepts the settings in ready(), and sees the snippet's values, the
    credential key taken from the environment included. (`netbox check` runs in tests/test_packaging.py.)"""
    (tmp_path / 'snippet_configuration.py').write_text(textwrap.dedent(f'''\
        import runpy

        from netbox_configuration import *

        _snippet = runpy.run_path({str(PLUGINS_SNIPPET)!r})
        PLUGINS = _snippet['PLUGINS']
        PLUGINS_CONFIG = _snippet['PLUGINS_CONFIG']
    '''))
    show_settings = (
        'import json, django; django.setup(); '
        'from django.conf import settings; '
        'print(json.dumps(settings.PLUGINS_CONFIG["netbox_hedgehog"], sort_keys=True))'
    )
    env = {
        **os.environ,
        'NETBOX_CONFIGURATION': 'snippet_configuration',
        'PYTHONPATH': os.pathsep.join([str(tmp_path), str(DEPLOY / 'dev'), str(REPO_ROOT)]),
        'HEDGEHOG_CREDENTIAL_KEY': 'a-dedicated-credential-key',
    }
    result = subprocess.run([sys.executable, '-c', show_settings], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, f'NetBox did not start with the snippet:\n{result.stdout}{result.stderr}'
    effective = json.loads(result.stdout.strip().splitlines()[-1])
    assert effective == {**snippet_settings(), 'credential_key': 'a-dedicated-credential-key'}
