"""Incident states, operator types, and the kinds of report, task, timeline entry, referral."""

from enum import StrEnum


class IncidentState(StrEnum):
    reported = "reported"
    classified = "classified"
    responding = "responding"
    recovering = "recovering"
    closed = "closed"
    cancelled = "cancelled"


class OperatorType(StrEnum):
    """Who reports decides the first-report deadline (2025 measures, Art. 4)."""

    cii = "cii"
    central_organ = "central_organ"
    other = "other"


class ReportKind(StrEnum):
    first = "first"
    update = "update"
    escalation = "escalation"
    final = "final"


class TaskState(StrEnum):
    open = "open"
    done = "done"
    superseded = "superseded"


class EntryKind(StrEnum):
    event = "event"
    action = "action"
    decision = "decision"


class ReferralAuthority(StrEnum):
    """Art. 57: the authority an emergency or production-safety accident is referred to."""

    emergency_management = "emergency_management"
    work_safety = "work_safety"


class Origin(StrEnum):
    """How the incident was opened."""

    operator = "operator"
    detections = "detections"
    warning = "warning"
