"""The fabric as it runs: switch agents' reports (live state), health rules, the LLDP cabling check and the drawing.

Plain Python like `sync/`: the engine calls `agents.read_agents()` while it reads the cluster and `store.store()`
in its write transaction; views, tables, filters and the API read the stored rows through `health` and `cabling`.
"""
