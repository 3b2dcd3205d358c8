"""The ``fenghuo`` command line (Typer + Rich): one module per command group.

Every command acts as the deployment's local operator (authority rule
``local-system-operator``), opens exactly one transaction, and changes state only through
the domain flows, so the audit trail records it. A ``FenghuoError`` becomes one red line on
stderr naming the field or the rule, and exit code 1; a usage error exits with 2.
"""
