# NetBox loads a plugin's GraphQL query types from the `schema` attribute of its `graphql` module.
from .schema import schema

__all__ = ('schema',)
