"""Notifications: directives, reports and warnings carried to organisations (Arts. 51, 52, 55).

A notification is sent to one or more organisations; each recipient organisation gets a
recipient row (pending → acknowledged, or escalated when the plan's time runs out) and one
delivery per channel: the in-app inbox (delivered at once), e-mail and webhooks (delivered
by the notification worker on the bus, retried with backoff, dead-lettered after the last
try, replayable). The sender sees who has and has not acknowledged. See docs/notification.md.
"""
