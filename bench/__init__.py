"""`make bench`: what a sync costs as fabrics grow, side by side with NetBox's REST API (issue 7).

Modules: shapes (fabric sizes) and generate (their objects), cluster (the Kubernetes API test server in its own
process), mutate (changes through the Kubernetes API), syncrun (one measured sync in a fresh process), measure
(the phases of one size), rest (the REST reference), schedule (the master schedule job), env (the bench database
and Redis databases), report (targets, table, JSON). Entry point: `python -m bench --help`.
"""
