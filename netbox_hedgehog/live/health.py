"""Switch health from the stored live state (README: "Health rules").

Health depends on the time: a heartbeat read by the last sync ages, so it is evaluated when shown or filtered,
against the setting `live_heartbeat_max_age`, never stored.
"""
from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Q
from django.utils import timezone

from netbox_hedgehog import get_setting
from netbox_hedgehog.choices import SwitchHealthChoices

__all__ = (
    'health',
    'health_q',
    'live_state_of',
)


def _cutoff(now=None):
    return (now or timezone.now()) - timedelta(seconds=get_setting('live_heartbeat_max_age'))


def live_state_of(switch):
    """The switch's SwitchLiveState, or None."""
    try:
        return switch.live_state
    except ObjectDoesNotExist:
        return None


def health(live, now=None):
    """(health, reason) of a switch whose SwitchLiveState is `live` (None: no Agent was read for it)."""
    if live is None:
        return SwitchHealthChoices.NO_AGENT, 'No Agent of this name was read by the last sync.'
    max_age = get_setting('live_heartbeat_max_age')
    if live.heartbeat is None:
        return SwitchHealthChoices.STALE, 'The agent has not reported a heartbeat.'
    if live.heartbeat < _cutoff(now):
        return SwitchHealthChoices.STALE, (f'The last heartbeat ({live.heartbeat:%Y-%m-%d %H:%M:%S} UTC) is older than '
                                           f'{max_age} seconds.')
    if live.applied_generation is None or live.applied_generation != live.generation:
        applied = 'none' if live.applied_generation is None else live.applied_generation
        detail = f' ({live.applied_reason}: {live.applied_message})' if live.applied_reason else ''
        return SwitchHealthChoices.APPLYING, (f'Applied generation {applied} is behind the current generation '
                                              f'{live.generation}{detail}.')
    return SwitchHealthChoices.HEALTHY, f'Heartbeat fresh and generation {live.generation} applied.'


def health_q(values, prefix='live_state__', now=None):
    """A Q selecting switches (through `prefix` from the queried model) whose health is one of `values`."""
    cutoff = _cutoff(now)
    fresh = Q(**{f'{prefix}heartbeat__gte': cutoff})
    applied = Q(**{f'{prefix}applied_generation': F(f'{prefix}generation')})
    present = Q(**{f'{prefix}isnull': False})
    rules = {
        SwitchHealthChoices.HEALTHY: fresh & applied,
        SwitchHealthChoices.APPLYING: fresh & ~applied,
        SwitchHealthChoices.STALE: present & ~fresh,
        SwitchHealthChoices.NO_AGENT: ~present,
    }
    query = Q(pk__in=[])
    for value in values:
        query |= rules[value]
    return query
