"""Generating and rotating an issuing organisation's signing key (audited).

A new generation signs from now on; every earlier generation stays in the key directory so
that messages signed before still verify. Keys are also generated on first use by
publication (like the secret key); this flow is how an administrator makes or rotates one
deliberately, with an audit record naming the new fingerprint.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, Target, require
from fenghuo.settings import Settings
from fenghuo.warnings import keys
from fenghuo.warnings.actions import MANAGE_KEYS
from fenghuo.warnings.enums import SignatureAlgorithm


def rotate_key(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    org_id: str,
    algorithm: SignatureAlgorithm | None = None,
) -> keys.KeyPair:
    """Generate the next key of ``org_id`` (the configured algorithm unless one is named)."""
    org = accounts_service.get_or_raise(session=session, org_id=org_id)
    target = Target(org=accounts_service.org_ref(org), description=f"signing key of {org.name_en}")
    decision = require(actor, MANAGE_KEYS, target)
    chosen = algorithm or SignatureAlgorithm(settings.warning_signature)
    previous = keys.current(settings, org.id, chosen)
    pair = keys.generate(settings, org_id=org.id, org_name=org.name_en, algorithm=chosen)
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE_KEYS,
        target_type="organisation",
        target_id=org.id,
        target_org_id=org.id,
        decision=decision,
        legal_basis="Art. 51",
        details={
            "algorithm": chosen.value,
            "generation": pair.generation,
            "fingerprint": pair.fingerprint,
            "previous_fingerprint": previous.fingerprint if previous else None,
        },
        summary=f"{actor.label} generated signing key {pair.fingerprint[:16]} of {org.name_en}",
    )
    return pair
