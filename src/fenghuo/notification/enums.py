"""Kinds and states of notifications, recipients and deliveries."""

from enum import StrEnum


class NotificationKind(StrEnum):
    directive = "directive"  # Art. 55: take these measures by then
    report = "report"  # Arts. 52, 55: information sent upward
    warning = "warning"  # Art. 51, 54: early warnings to departments and operators
    notice = "notice"  # anything else, and escalations


class RecipientState(StrEnum):
    pending = "pending"
    acknowledged = "acknowledged"
    escalated = "escalated"


class Channel(StrEnum):
    inbox = "inbox"
    email = "email"
    webhook = "webhook"


class DeliveryState(StrEnum):
    pending = "pending"  # waiting for its first attempt (at next_attempt_at)
    delivered = "delivered"
    failed = "failed"  # the last attempt failed; another is due at next_attempt_at
    dead = "dead"  # no attempt left: dead-lettered, replayable by an operator
    skipped = "skipped"  # the channel is switched off in this deployment (no SMTP host)


# Deliveries the worker still has to attempt.
DUE_STATES = (DeliveryState.pending, DeliveryState.failed)
