"""One mechanism audits every insert, update and delete, with actor and before/after."""

from __future__ import annotations

import gc

from shapely.geometry import Point
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from beredskap.platform.audit import recorder
from beredskap.platform.audit.models import AuditEntry
from beredskap.register.organisations.models import Organisation
from beredskap.register.volunteers.models import Membership, Volunteer


def _entries(session: Session, entity: str) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        )
    )


def test_insert_update_delete_are_recorded_with_actor(session: Session) -> None:
    session.info["actor"] = "kari@lillestrom.kommune.no"
    organisation = Organisation(
        name="Blaker Jeger- og Fiskerforening",
        category="hunters_and_anglers",
        home_base=Point(11.28, 59.99),
        municipality_numbers=["3205"],
    )
    session.add(organisation)
    session.flush()

    organisation.name = "Blaker JFF"
    organisation.active = False
    session.flush()

    session.delete(organisation)
    session.flush()

    inserted, updated, deleted = _entries(session, "organisations")
    assert {e.actor for e in (inserted, updated, deleted)} == {"kari@lillestrom.kommune.no"}
    assert [e.action for e in (inserted, updated, deleted)] == ["insert", "update", "delete"]
    assert {e.entity_id for e in (inserted, updated, deleted)} == {str(organisation.id)}

    assert inserted.before is None
    assert inserted.after is not None
    assert inserted.after["name"] == "Blaker Jeger- og Fiskerforening"
    assert inserted.after["home_base"] == {"type": "Point", "coordinates": [11.28, 59.99]}

    assert updated.before == {"name": "Blaker Jeger- og Fiskerforening", "active": True}
    assert updated.after == {"name": "Blaker JFF", "active": False}

    assert deleted.before is not None
    assert deleted.before["name"] == "Blaker JFF"
    assert deleted.after is None


def test_an_update_that_changes_nothing_is_not_recorded(session: Session) -> None:
    organisation = Organisation(name="Rasta Vel", category="residents_association")
    session.add(organisation)
    session.flush()
    organisation.name = "Rasta Vel"
    session.flush()
    assert [e.action for e in _entries(session, "organisations")] == ["insert"]


def test_memberships_and_child_rows_are_audited_too(session: Session) -> None:
    organisation = Organisation(name="Skjetten Idrettslag", category="sports_club")
    volunteer = Volunteer(full_name="Ola Testmann", mobile="+447700900002", sms_consent=True)
    volunteer.memberships.append(Membership(organisation=organisation, role="mannskap"))
    session.add_all([organisation, volunteer])
    session.flush()
    (membership,) = _entries(session, "memberships")
    assert membership.entity_id == f"{volunteer.id},{organisation.id}"
    (volunteer_entry,) = _entries(session, "volunteers")
    assert volunteer_entry.after is not None
    assert volunteer_entry.after["sms_consent"] is True
    assert volunteer_entry.after["sms_consent_changed_at"] is not None


def test_without_an_actor_the_system_is_named(session: Session) -> None:
    session.info.pop("actor", None)
    session.add(Organisation(name="Frogner Vel", category="residents_association"))
    session.flush()
    (entry,) = _entries(session, "organisations")
    assert entry.actor == "system"


def test_every_new_session_factory_is_audited(engine: Engine) -> None:
    """Factories come and go (one per test, per worker); none may escape the audit trail."""
    for _ in range(50):
        factory = sessionmaker(bind=engine)
        assert event.contains(Session, "after_flush", recorder._after_flush)
        del factory
    gc.collect()  # once: a full collection of the suite's heap costs most of a second
    assert event.contains(Session, "after_flush", recorder._after_flush)
    connection = engine.connect()
    outer = connection.begin()
    try:
        session = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")()
        session.add(Organisation(name="Sagdalen Vel", category="residents_association"))
        session.flush()
        (entry,) = _entries(session, "organisations")
        assert entry.after is not None
        assert entry.after["name"] == "Sagdalen Vel"
        session.close()
    finally:
        outer.rollback()
        connection.close()
