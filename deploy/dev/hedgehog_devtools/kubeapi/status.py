"""Kubernetes ``Status`` error bodies and the exception that carries them through the server."""
import json

__all__ = (
    'ApiError',
    'REASONS',
    'status_body',
)

# The reason a real API server puts in a Status for each HTTP code it answers with.
REASONS = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    410: 'Gone',
    411: 'LengthRequired',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
}


def status_body(code, message, reason=None, details=None):
    """Return the JSON bytes of a failed ``Status`` object."""
    status = {
        'kind': 'Status',
        'apiVersion': 'v1',
        'metadata': {},
        'status': 'Failure',
        'message': message,
        'reason': reason or REASONS.get(code, 'Unknown'),
        'code': code,
    }
    if details:
        status['details'] = details
    return json.dumps(status).encode()


class ApiError(Exception):
    """A request failure that the server answers with a ``Status`` body."""

    def __init__(self, code, message, reason=None, details=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, 'Unknown')
        self.details = details

    def body(self):
        return status_body(self.code, self.message, self.reason, self.details)

    @classmethod
    def for_object(cls, code, spec, name, message, reason=None):
        """An error about one object, with the ``details`` block a real API server adds."""
        details = {'name': name, 'group': spec.group, 'kind': spec.plural}
        return cls(code, message, reason, details)

    @classmethod
    def not_found(cls, spec, name):
        return cls.for_object(404, spec, name, f'{spec.plural}.{spec.group} "{name}" not found')

    @classmethod
    def already_exists(cls, spec, name):
        return cls.for_object(409, spec, name, f'{spec.plural}.{spec.group} "{name}" already exists', 'AlreadyExists')

    @classmethod
    def conflict(cls, spec, name):
        return cls.for_object(
            409, spec, name,
            f'Operation cannot be fulfilled on {spec.plural}.{spec.group} "{name}": the object has been modified; '
            'please apply your changes to the latest version and try again',
        )

    @classmethod
    def invalid(cls, spec, name, field, message):
        return cls(
            422,
            f'{spec.kind}.{spec.group} "{name}" is invalid: {field}: {message}',
            details={
                'name': name, 'group': spec.group, 'kind': spec.kind,
                'causes': [{'reason': 'FieldValueInvalid', 'message': message, 'field': field}],
            },
        )

    @classmethod
    def unknown_resource(cls):
        return cls(404, 'the server could not find the requested resource')
