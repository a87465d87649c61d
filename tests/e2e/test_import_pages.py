"""The import on the web (issue 15), on both backends: the admin imports any kind, an
organisation editor equipment of its own organisations only, the other roles nothing (403);
upload, a preview with every bad row (nothing written), the fixed file's preview and its
confirmation (written, counted, audited); an unreadable file is a 422 page, never a 500; the
CSRF token is required; a preview token of another session, of another kind, forged or expired
is refused."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from beredskap.platform.audit.models import AuditEntry
from beredskap.platform.auth.models import Role
from beredskap.register.imports import pending
from beredskap.register.inventory.models import Equipment
from tests.e2e.web_client import form_token, logged_in
from tests.support.api import ROLE_EMAILS, ApiHarness

ADMIN = ROLE_EMAILS[Role.ADMIN]
EDITOR = ROLE_EMAILS[Role.ORG_EDITOR]
HEADINGS = "Organisasjon;Lagringssted;Ressurstype;Antall;Identifikator;Status"
GOOD = [
    "Eget Hjelpekorps;Eget lager;generator;2;;Klar",
    "Eget Hjelpekorps;Eget lager;ATV;1;AB 12345;i bruk",
]
BAD = [
    "Eget Hjelpekorps;Eget lager;generator;to;;Klar",
    "Eget Hjelpekorps;Finnes ikke;ATV;1;AB 12345;kanskje",
]
_TOKEN = re.compile(r'name="token" value="([^"]*)"')


def _csv(lines: list[str]) -> bytes:
    return ("\n".join([HEADINGS, *lines]) + "\n").encode()


def _lines(api: ApiHarness) -> int:
    api.session.expire_all()
    return int(api.session.scalar(select(func.count()).select_from(Equipment)) or 0)


def _preview(
    client: TestClient, data: bytes, *, kind: str = "equipment", name: str = "utstyr.csv"
) -> object:
    token = form_token(client.get("/imports").text)
    return client.post(
        "/imports",
        data={"csrf_token": token, "kind": kind},
        files={"file": (name, data, "text/csv")},
    )


def _confirm(client: TestClient, html: str, *, kind: str = "equipment") -> object:
    match = _TOKEN.search(html)
    assert match, "the preview offers no confirmation"
    return client.post(
        "/imports/confirm",
        data={"csrf_token": form_token(html), "token": match.group(1), "kind": kind},
    )


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.ORG_EDITOR)])
def test_other_roles_may_not_import(api: ApiHarness, role: Role) -> None:
    client = logged_in(api, ROLE_EMAILS[role], "en")
    assert client.get("/imports").status_code == 403
    assert client.get("/imports/template?kind=equipment").status_code == 403
    token = form_token(client.get("/").text)
    refused = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "equipment"},
        files={"file": ("x.csv", _csv(GOOD), "text/csv")},
    )
    assert refused.status_code == 403
    assert 'href="/imports"' not in client.get("/organisations").text
    assert _lines(api) == 0


def test_the_admin_imports_any_kind_the_org_editor_equipment_only(api: ApiHarness) -> None:
    admin = logged_in(api, ADMIN, "en")
    page = admin.get("/imports")
    assert page.status_code == 200
    for kind in ("organisations", "sites", "equipment", "volunteers", "qualifications"):
        assert f'<option value="{kind}"' in page.text
        template = admin.get(f"/imports/template?kind={kind}")
        assert template.status_code == 200
        assert template.content[:2] == b"PK"
    assert 'href="/imports"' in admin.get("/organisations").text

    editor = logged_in(api, EDITOR, "en")
    page = editor.get("/imports")
    assert page.status_code == 200
    assert '<option value="equipment"' in page.text
    assert '<option value="organisations"' not in page.text
    assert editor.get("/imports/template?kind=organisations").status_code == 403
    assert _preview(editor, b"Navn;Kategori\nNy;Annet\n", kind="organisations").status_code == 403
    # Another organisation's line: refused (403), its row named, nothing written.
    other = _preview(editor, _csv(["Annet Sanitetslag;Annet lager;generator;1;;Klar"]))
    assert other.status_code == 403
    assert "<caption" in other.text and 'name="token"' not in other.text
    own = _preview(editor, _csv(GOOD))
    assert own.status_code == 200, own.text
    assert _confirm(editor, own.text).status_code == 200
    assert _lines(api) == 2


def test_upload_preview_fix_preview_confirm(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN, "en")
    bad = _preview(client, _csv(BAD))
    assert bad.status_code == 422
    assert "<caption" in bad.text and 'name="token"' not in bad.text
    # Every bad cell: its row, its column as the file names it, the message (here in English:
    # the pages' language is chosen by the test, the catalogs' bokmål aside).
    rows = re.findall(
        r'<td data-label="Row">(\d+)</td>\s*<td data-label="Column">([^<]*)</td>', bad.text
    )
    assert ("2", "Antall") in rows
    assert ("3", "Lagringssted") in rows and ("3", "Status") in rows
    assert _lines(api) == 0

    good = _preview(client, _csv(GOOD))
    assert good.status_code == 200, good.text
    assert "2 new, 0 changed, 0 unchanged" in good.text
    assert _lines(api) == 0  # a preview writes nothing

    done = _confirm(client, good.text)
    assert done.status_code == 200, done.text
    assert "2 new, 0 changed, 0 unchanged" in done.text
    assert _lines(api) == 2
    entry = api.session.scalars(select(AuditEntry).where(AuditEntry.entity == "import")).one()
    assert entry.after == {
        "kind": "equipment",
        "file": "utstyr.csv",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    # The same token again: the file is gone after its confirmation.
    assert _confirm(client, good.text).status_code == 410
    # The same file again: nothing to change.
    again = _preview(client, _csv(GOOD))
    assert "0 new, 0 changed, 2 unchanged" in again.text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("tom.csv", b""),
        ("bilde.xlsx", b"PK\x03\x04garbage"),
        ("binær.csv", b"a\x00b\x00c"),
    ],
)
def test_an_unreadable_file_is_a_422_page(api: ApiHarness, name: str, data: bytes) -> None:
    client = logged_in(api, ADMIN, "en")
    response = _preview(client, data, name=name)
    assert response.status_code == 422
    assert 'href="#f-file"' in response.text and 'aria-invalid="true"' in response.text
    assert _lines(api) == 0


def test_no_file_is_a_422_page(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN, "en")
    token = form_token(client.get("/imports").text)
    response = client.post("/imports", data={"csrf_token": token, "kind": "equipment"})
    assert response.status_code == 422
    assert 'href="#f-file"' in response.text


def test_the_csrf_token_is_required(api: ApiHarness) -> None:
    client = logged_in(api, ADMIN, "en")
    refused = client.post(
        "/imports", data={"kind": "equipment"}, files={"file": ("x.csv", _csv(GOOD), "text/csv")}
    )
    assert refused.status_code == 403
    good = _preview(client, _csv(GOOD))
    token = _TOKEN.search(good.text)
    assert token
    refused = client.post("/imports/confirm", data={"token": token.group(1), "kind": "equipment"})
    assert refused.status_code == 403
    assert _lines(api) == 0


def test_a_foreign_forged_or_expired_preview_is_refused(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = logged_in(api, ADMIN, "en")
    good = _preview(client, _csv(GOOD))
    token = _TOKEN.search(good.text)
    assert token
    # Another browser session (the same user logged in again) does not find it.
    other = logged_in(api, ADMIN, "en")
    csrf = form_token(other.get("/imports").text)
    foreign = other.post(
        "/imports/confirm", data={"csrf_token": csrf, "token": token.group(1), "kind": "equipment"}
    )
    assert foreign.status_code == 410
    # Nor does a path, nor the token for another kind.
    for sent, kind in (("../../../etc/passwd", "equipment"), (token.group(1), "sites")):
        forged = client.post(
            "/imports/confirm",
            data={"csrf_token": form_token(good.text), "token": sent, "kind": kind},
        )
        assert forged.status_code == 410
    assert _lines(api) == 0
    # Expired: kept with no time left.
    monkeypatch.setattr(pending, "TTL", -1)
    late = _preview(client, _csv(GOOD))
    assert late.status_code == 200
    assert _confirm(client, late.text).status_code == 410
    assert _lines(api) == 0
    # The page's own session still confirms its unexpired preview.
    assert _confirm(client, good.text).status_code == 200
    assert _lines(api) == 2


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name="),
        ("application/json", b'{"kind": "equipment"}'),
        ("text/csv", b"a;b\n1;2\n"),
    ],
)
def test_a_body_that_is_no_upload_is_4xx(api: ApiHarness, content_type: str, body: bytes) -> None:
    client = logged_in(api, ADMIN, "en")
    token = form_token(client.get("/imports").text)
    response = client.post(
        "/imports", content=body, headers={"content-type": content_type, "x-csrf-token": token}
    )
    assert 400 <= response.status_code < 500
