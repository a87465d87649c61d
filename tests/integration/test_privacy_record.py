"""The record of processing (GDPR art. 30), generated from the declaration: every declared
column is there with who sees it, retention follows the settings; the administrator's only."""

from __future__ import annotations

from beredskap.platform.auth.models import Role
from beredskap.platform.db import Base
from beredskap.platform.privacy.declaration import personal_tables
from tests.support.api import ApiHarness

URL = "/api/v1/privacy/record"


def test_the_record_follows_the_declaration(api: ApiHarness) -> None:
    response = api.get(Role.ADMIN, URL)
    assert response.status_code == 200, response.text
    record = response.json()
    listed = {(item["table"], item["column"]) for item in record["categories"]}
    declared = {
        (table.table.name, column.name)
        for table in personal_tables(Base.metadata)
        for column in table.personal
    }
    assert listed == declared and ("volunteers", "mobile") in listed
    mobile = next(
        item
        for item in record["categories"]
        if (item["table"], item["column"]) == ("volunteers", "mobile")
    )
    assert "council" not in mobile["seen_by"] and "admin" in mobile["seen_by"]
    days = {item["period"]: item["days"] for item in record["retention"]}
    assert days == {"callout": 365, "message_log": 90, "audit_personal": 1825,
                    "inactive_volunteer": 365, "security_log": 30}  # fmt: skip
    by_column = {(item["table"], item["column"]): item for item in record["categories"]}
    address = by_column[("login_failures", "client_address")]
    assert address["seen_by"] == ["admin"] and address["data_subjects"] == "staff users"
    assert by_column[("users", "email")]["data_subjects"] == "staff users"
    assert by_column[("volunteers", "email")]["data_subjects"] == "volunteers"
    security = next(item for item in record["retention"] if item["period"] == "security_log")
    assert {item["table"] for item in security["applies_to"]} == {"login_failures", "web_sessions"}
    assert any(r["role"] == "processor" for r in record["recipients"])
    for role in (Role.DUTY_OFFICER, Role.ORG_EDITOR, Role.COUNCIL, Role.PLANNER):
        assert api.get(role, URL).status_code == 403
