"""Development tools of netbox-hedgehog, shared by the demo, the test suite and the benchmark (not shipped).

- ``kubeapi``: a Kubernetes API test server for the Hedgehog custom resources (HTTPS, bearer tokens, faults).
- ``processes``: starts and stops the plugin's processes (web, worker, scheduler sidecar, kubeapi) with logs.
- ``fabric``: the project's own demo fabric, as YAML files under ``deploy/dev/fabric/``.
"""
