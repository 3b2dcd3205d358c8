"""Authority actions of notifications."""

from fenghuo.authority import Action

SEND = "notification.notifications.send"
SEND_REPORT = "notification.reports.send"
VIEW = "notification.notifications.view"
ACKNOWLEDGE = "notification.notifications.acknowledge"
ESCALATE = "notification.notifications.escalate"
DELIVER = "notification.deliveries.deliver"
DELIVERIES_VIEW = "notification.deliveries.view"
REPLAY = "notification.deliveries.replay"
ENDPOINTS_VIEW = "notification.endpoints.view"
ENDPOINTS_MANAGE = "notification.endpoints.manage"

ACTIONS = (
    Action(
        SEND,
        "Send directives, warnings and notices to organisations within the sender's visibility",
        article="Art. 55",
    ),
    Action(
        SEND_REPORT,
        "Send a report upward, to the authorities over the sender's organisation",
        article="Art. 52",
    ),
    Action(
        VIEW,
        "Read notifications received by, or sent by, one's organisation, and who acknowledged",
        changes_state=False,
        article="Art. 55",
    ),
    Action(
        ACKNOWLEDGE,
        "Acknowledge a notification on behalf of one's organisation",
        article="Art. 55",
    ),
    Action(
        ESCALATE,
        "Escalate notifications left unacknowledged past the plan's time",
        article="Art. 55",
    ),
    Action(
        DELIVER,
        "Deliver notifications by e-mail and webhook and record each attempt",
        article="Art. 55",
    ),
    Action(
        DELIVERIES_VIEW,
        "See notification deliveries that failed or were dead-lettered",
        changes_state=False,
        article="Art. 55",
    ),
    Action(
        REPLAY,
        "Queue a dead-lettered notification delivery again",
        article="Art. 55",
    ),
    Action(
        ENDPOINTS_VIEW,
        "See where one's organisation receives notifications (webhooks, e-mail addresses)",
        changes_state=False,
        article="Art. 55",
    ),
    Action(
        ENDPOINTS_MANAGE,
        "Register and remove one's organisation's webhooks and e-mail addresses",
        article="Art. 55",
    ),
)
