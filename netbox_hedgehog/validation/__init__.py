"""The fabric's admission rules, written from the Hedgehog API sources (githedgehog/fabric `api/*/…_types.go`: CRD
markers, `Default()` and `Validate()`): what the mutating webhooks fill in, and what the validating webhooks refuse.

`default_spec(kind, spec)` returns the spec as the cluster would store it; `validate(kind, name, spec, ...)` raises a
Refusal naming the field path, the value and the rule. Rules that span objects run when a World (the fabric's other
objects) is given, rules that depend on fabric settings when the FabricConfig sets them. Objects read from the cluster
are never judged here: the cluster admitted them.

The module imports nothing from Django, so the Kubernetes API test server uses it as well.
"""
from .common import FabricConfig, Refusal, World
from .gateway import DEFAULTS as GATEWAY_DEFAULTS
from .gateway import VALIDATORS as GATEWAY_VALIDATORS
from .vpc import DEFAULTS as VPC_DEFAULTS
from .vpc import VALIDATORS as VPC_VALIDATORS
from .wiring import DEFAULTS as WIRING_DEFAULTS
from .wiring import VALIDATORS as WIRING_VALIDATORS

__all__ = (
    'FabricConfig',
    'Refusal',
    'World',
    'default_spec',
    'validate',
)

DEFAULTS = {**WIRING_DEFAULTS, **VPC_DEFAULTS, **GATEWAY_DEFAULTS}
VALIDATORS = {**WIRING_VALIDATORS, **VPC_VALIDATORS, **GATEWAY_VALIDATORS}
NO_CONFIG = FabricConfig()


def default_spec(kind, spec):
    """The spec after the kind's defaulting webhook (a new object; `spec` is left as it is)."""
    spec = spec if isinstance(spec, dict) else {}
    defaulting = DEFAULTS.get(kind)
    return defaulting(spec) if defaulting else dict(spec)


def validate(kind, name, spec, annotations=None, world=None, config=None):
    """Raise Refusal when the kind's validating webhook would refuse the object (judged as written, before
    defaulting; fields the defaulting fills in are filled in first where the webhook would see them filled)."""
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise Refusal('spec', spec, 'expected an object')
    validator = VALIDATORS.get(kind)
    if validator is not None:
        validator(name, default_spec(kind, spec), annotations or {}, world, config or NO_CONFIG)
