"""What the console and the API show: the warning list and one warning with its history."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fenghuo.authority import Actor
from fenghuo.errors import NotFound
from fenghuo.settings import Settings
from fenghuo.warnings import messages, service
from fenghuo.warnings.models import CapMessage
from fenghuo.warnings.schemas import CapMessageRead, VersionRead, WarningDetail, WarningRead


def detail(*, session: Session, actor: Actor, warning_id: str) -> WarningDetail:
    """One warning the actor may see, with its versions and the CAP messages it emitted."""
    warning = service.get(session=session, actor=actor, warning_id=warning_id)
    return WarningDetail(
        warning=WarningRead.model_validate(warning),
        versions=[VersionRead.model_validate(v) for v in service.versions(session, warning)],
        cap_messages=[
            CapMessageRead.model_validate(m) for m in service.cap_messages(session, warning)
        ],
    )


def cap_message(*, session: Session, actor: Actor, warning_id: str, message_id: str) -> CapMessage:
    """A CAP message of a warning the actor may see."""
    warning = service.get(session=session, actor=actor, warning_id=warning_id)
    message = service.cap_message_or_raise(session, message_id)
    if message.warning_id != warning.id:
        raise NotFound(f"no CAP message {message_id} of warning {warning_id}")
    return message


def render_cap(message: CapMessage) -> bytes:
    """A stored CAP message, byte for byte as issued (signed)."""
    return messages.render(message)


def preview_cap(*, session: Session, actor: Actor, settings: Settings, warning_id: str) -> bytes:
    """The signed ``status=Draft`` CAP document of the warning as it stands (a preview)."""
    warning = service.get(session=session, actor=actor, warning_id=warning_id)
    return messages.preview(settings, warning)
