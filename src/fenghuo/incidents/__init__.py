"""Incidents (Arts. 55 and 57; the 2025 incident-reporting measures).

An operator reports a cybersecurity incident (or an analyst opens one from detections or a
warning); it gets a reference number (``FH-2026-000123``). Each report and update is
classified by the matrix of the emergency plan the incident runs under (the plan version
recorded when it was opened), and the classification activates that plan's response level:
tasks with owners and deadlines, and directives to the affected operators through the
notification mechanism. Life cycle: reported → classified → responding → recovering →
closed, or cancelled (a false report, or merged into another incident). The deadline clocks
of the measures (Art. 4) run from the time of discovery; the final summary report (Art. 8)
is due within 30 days of the end of handling. An incident that caused an emergency or a
production-safety accident is referred to the competent authority (Art. 57).
"""
