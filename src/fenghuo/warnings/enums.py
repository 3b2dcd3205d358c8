"""Warning states, colours, audiences, CAP message types and signature algorithms."""

from enum import StrEnum


class WarningState(StrEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    published = "published"
    adjusted = "adjusted"  # published, and re-issued at least once (a new version)
    lifted = "lifted"
    cancelled = "cancelled"


class Colour(StrEnum):
    """Highest first (REFERENCE §1.4): red ↔ level I down to blue ↔ level IV."""

    red = "red"
    orange = "orange"
    yellow = "yellow"
    blue = "blue"


class Audience(StrEnum):
    departments = "departments"  # departments and operators in scope only (TLP-marked)
    public = "public"  # Art. 54(3): published to society


class CapMsgType(StrEnum):
    alert = "Alert"
    update = "Update"
    cancel = "Cancel"


class SignatureAlgorithm(StrEnum):
    """``FENGHUO_WARNING_SIGNATURE``: how CAP messages are signed."""

    rsa = "xmldsig-rsa"
    ecdsa = "xmldsig-ecdsa"
    sm2 = "sm2"
