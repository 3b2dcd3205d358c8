"""Emergency plans (应急预案, CSL Art. 53): versioned documents that say how incidents are run.

A plan holds the incident categories, the classification matrix of the Grading Guide, the
response of each level (lead and tasks), the reporting routes and deadlines of the 2025
Measures, warning issuers, risk thresholds, notification escalation and exercises. Plans
are imported as YAML; each import is a new, immutable version, and one version is active.
Fenghuo ships the national plan (``national.yaml``), installed as version 1 on first use.
Incidents classify and set their clocks through ``classification`` and ``deadlines``.
"""
