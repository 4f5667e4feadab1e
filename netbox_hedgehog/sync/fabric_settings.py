"""Read the fabric controller's settings (ConfigMap fab/fabric-ctrl-config, see validation/config.py) during a sync.

The settings never fail a sync: without them the admission rules that need them are not applied, and the fabric page
says why none are known.
"""
from dataclasses import dataclass

import yaml
from kubernetes.client.exceptions import ApiException

from netbox_hedgehog.validation import Refusal
from netbox_hedgehog.validation.config import (
    CONFIG_MAP_KEY,
    CONFIG_MAP_LABEL,
    CONFIG_MAP_NAME,
    CONFIG_MAP_NAMESPACE,
    read_settings,
)
from netbox_hedgehog.yamlsafe import safe_load

from . import pulse
from .errors import describe

__all__ = (
    'SettingsRead',
    'read_fabric_settings',
)


@dataclass(frozen=True)
class SettingsRead:
    """What a sync learnt of the settings: `settings` to store ({}: none known) and `source`, said on the fabric page;
    `settings` None when the read failed for a reason that may pass (what is stored stays)."""
    settings: dict | None
    source: str


def _unknown(why):
    return SettingsRead({}, f'{CONFIG_MAP_LABEL}: {why}; the rules that need the fabric settings are not applied')


def _config_map(api_client, timeout):
    """The ConfigMap as a mapping, through the Kubernetes client's generic request methods: its CoreV1Api module
    alone takes most of a second of CPU to import, which a sync in a fresh worker process would pay every time."""
    request = api_client.param_serialize(
        'GET', '/api/v1/namespaces/{namespace}/configmaps/{name}',
        path_params={'namespace': CONFIG_MAP_NAMESPACE, 'name': CONFIG_MAP_NAME},
        header_params={'Accept': 'application/json'}, auth_settings=['BearerToken'])
    response = api_client.call_api(*request, _request_timeout=timeout)
    response.read()
    return api_client.response_deserialize(response, {'200': 'object'}).data


def read_fabric_settings(api, server, timeout, log):
    """The controller settings of the cluster `api` (a CustomObjectsApi) talks to, as a SettingsRead."""
    pulse.confirm()
    try:
        config_map = _config_map(api.api_client, timeout)
    except Exception as e:
        status = e.status if isinstance(e, ApiException) else None
        if status not in (403, 404):
            # A failure that may pass (server busy, network): what was read before stays, said in the run log.
            problem = f'answered {status} {e.reason or ""}'.strip() if status else describe(e, server, timeout=timeout)
            log(f'Fabric settings: {CONFIG_MAP_LABEL} could not be read ({problem}); the settings read before are '
                f'kept')
            return SettingsRead(None, '')
        read = _unknown('not found (a cluster without a Hedgehog controller, or one installed elsewhere)'
                        if status == 404 else 'not readable with the fabric\'s credentials (403 Forbidden): grant them '
                                              '"get" on it (see deploy/kubernetes/fabric-access)')
        log(f'Fabric settings: {read.source}')
        return read
    data = config_map.get('data') if isinstance(config_map, dict) else None
    text = data.get(CONFIG_MAP_KEY) if isinstance(data, dict) else None
    if not text:
        read = _unknown(f'has no key {CONFIG_MAP_KEY}')
    else:
        try:
            settings = read_settings(safe_load(text))
        except yaml.YAMLError as e:
            read = _unknown(f'{CONFIG_MAP_KEY} is not valid YAML ({getattr(e, "problem", None) or type(e).__name__})')
        except Refusal as e:
            read = _unknown(f'malformed setting {e}')
        else:
            read = SettingsRead(settings, CONFIG_MAP_LABEL)
    log(f'Fabric settings: {read.source}' if read.settings == {} else
        f'Fabric settings: {len(read.settings)} setting(s) read from {CONFIG_MAP_LABEL}')
    return read
