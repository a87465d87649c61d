"""Who gets the agreements' reminders: the coordinator's address when one is configured
(`BEREDSKAP_COORDINATOR_EMAIL`), else every active admin user (the coordinator's role)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from beredskap.platform.auth.models import Role, User
from beredskap.platform.settings import PlatformSettings


def coordinator_addresses(session: Session, settings: PlatformSettings) -> list[tuple[str, str]]:
    """(recipient key, e-mail) of each coordinator, the key stable for the dedupe key."""
    configured = getattr(settings, "coordinator_email", None)
    if configured:
        return [("coordinator", str(configured))]
    rows = session.execute(
        select(User.id, User.email)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.disabled_at.is_(None))
        .order_by(User.id)
    ).all()
    return [(f"user:{user_id}", email) for user_id, email in rows]
