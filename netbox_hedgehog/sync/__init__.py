"""The sync engine: Kubernetes reader, plan (diff), bulk apply, run records. Imports no views."""
