"""Fenghuo (烽火): Chapter V of the PRC Cybersecurity Law, run as a platform.

Monitoring, risk assessment, graded early warning, notification, emergency plans,
incident response, regulator interviews and temporary restrictions, with authority,
deadlines and an append-only audit trail built in.
"""

__version__ = "0.1.0"
