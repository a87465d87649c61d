"""Twilio webhooks: only requests Twilio signed for our public URL get through; TwiML replies.

Signatures are made with `tests.support.fake_twilio.twilio_signature`, written from Twilio's
documentation independently of the twilio library that checks them.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator

from alerts.inbound.signature import (
    MAX_WEBHOOK_BODY_BYTES,
    SIGNATURE_HEADER,
    TwilioSignatureVerifier,
    TwilioWebhookGuard,
    route_path,
    status_callback_url,
)
from alerts.inbound.twiml import TWIML_MEDIA_TYPE, twiml_reply
from tests.support.fake_twilio import TEST_AUTH_TOKEN, twilio_signature

PUBLIC_URL = "https://beredskap.example.no"
SMS_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"
FORM = {"content-type": "application/x-www-form-urlencoded"}
INBOUND = {
    "MessageSid": "SM" + "a" * 32,
    "AccountSid": "AC" + "b" * 32,
    "From": "+4791234567",
    "To": "+4759440000",
    "Body": "B7 JA 20",
    "NumMedia": "0",
}


def _app(public_url: str = PUBLIC_URL) -> FastAPI:
    app = FastAPI()
    guard = TwilioWebhookGuard(TwilioSignatureVerifier(SecretStr(TEST_AUTH_TOKEN), public_url))

    @app.post(SMS_PATH)
    async def inbound(form: FormData = Depends(guard)) -> Response:
        return Response(twiml_reply(f"got {form['Body']}"), media_type=TWIML_MEDIA_TYPE)

    @app.post(STATUS_PATH)
    async def receipt(form: FormData = Depends(guard)) -> dict[str, str]:
        return {"status": str(form["MessageStatus"])}

    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(_app())


def _sign(url: str, params: dict[str, str], token: str = TEST_AUTH_TOKEN) -> str:
    return twilio_signature(token, url, params.items())


def _post(client: TestClient, path: str, params: dict[str, str], signature: str | None):
    headers = dict(FORM)
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return client.post(path, content=urlencode(params), headers=headers)


def test_a_request_twilio_signed_for_our_public_url_gets_through(client: TestClient) -> None:
    # The request reaches us as http://testserver (an internal address behind the proxy);
    # Twilio signed the public URL, which is what counts.
    response = _post(client, SMS_PATH, INBOUND, _sign(PUBLIC_URL + SMS_PATH, INBOUND))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(TWIML_MEDIA_TYPE)
    assert "<Message>got B7 JA 20</Message>" in response.text


def test_the_librarys_own_signature_is_accepted_too(client: TestClient) -> None:
    signature = RequestValidator(TEST_AUTH_TOKEN).compute_signature(PUBLIC_URL + SMS_PATH, INBOUND)
    assert _post(client, SMS_PATH, INBOUND, signature).status_code == 200


@pytest.mark.parametrize("signature", [None, "", "   "])
def test_unsigned_requests_are_refused(client: TestClient, signature: str | None) -> None:
    assert _post(client, SMS_PATH, INBOUND, signature).status_code == 403


def test_a_signature_made_with_another_token_is_refused(client: TestClient) -> None:
    forged = _sign(PUBLIC_URL + SMS_PATH, INBOUND, token="not-our-auth-token")
    assert _post(client, SMS_PATH, INBOUND, forged).status_code == 403


def test_the_host_header_is_never_trusted(client: TestClient) -> None:
    # A caller who controls the Host header and signs for the URL it claims gets nowhere:
    # the URL is rebuilt from BEREDSKAP_PUBLIC_URL.
    for host in ("testserver", "evil.example", "beredskap.example.no"):
        claimed = f"http://{host}{SMS_PATH}"
        response = client.post(
            SMS_PATH,
            content=urlencode(INBOUND),
            headers={**FORM, "host": host, SIGNATURE_HEADER: _sign(claimed, INBOUND)},
        )
        assert response.status_code == 403, host


def test_a_signature_for_another_url_is_refused(client: TestClient) -> None:
    # Valid for the receipt webhook, replayed to the SMS webhook; or for another site.
    for url in (PUBLIC_URL + STATUS_PATH, "https://other.example.no" + SMS_PATH):
        assert _post(client, SMS_PATH, INBOUND, _sign(url, INBOUND)).status_code == 403


@pytest.mark.parametrize(
    "tampered",
    [
        {**INBOUND, "Body": "B7 NEI"},
        {**INBOUND, "From": "+4799999999"},
        {**INBOUND, "Extra": "1"},
        {key: value for key, value in INBOUND.items() if key != "NumMedia"},
    ],
)
def test_altered_parameters_are_refused(client: TestClient, tampered: dict[str, str]) -> None:
    signature = _sign(PUBLIC_URL + SMS_PATH, INBOUND)
    assert _post(client, SMS_PATH, tampered, signature).status_code == 403


def test_the_query_string_is_part_of_what_is_signed(client: TestClient) -> None:
    receipt = {"MessageSid": "SM" + "c" * 32, "MessageStatus": "delivered"}
    url = status_callback_url(PUBLIC_URL, STATUS_PATH, reference="outbox-17")
    assert url == PUBLIC_URL + STATUS_PATH + "?ref=outbox-17"
    signature = _sign(url, receipt)
    accepted = _post(client, STATUS_PATH + "?ref=outbox-17", receipt, signature)
    assert accepted.status_code == 200 and accepted.json() == {"status": "delivered"}
    assert _post(client, STATUS_PATH + "?ref=outbox-18", receipt, signature).status_code == 403
    assert _post(client, STATUS_PATH, receipt, signature).status_code == 403


def test_a_public_url_with_a_path_prefix_behind_a_proxy() -> None:
    public = "https://kommune.example.no/beredskap"
    signature = _sign(public + SMS_PATH, INBOUND)
    # The proxy strips the prefix ...
    stripped = TestClient(_app(public))
    assert _post(stripped, SMS_PATH, INBOUND, signature).status_code == 200
    # ... or passes it on as the ASGI root_path.
    rooted = TestClient(_app(public), root_path="/beredskap")
    assert _post(rooted, SMS_PATH, INBOUND, signature).status_code == 200


@pytest.mark.parametrize(
    "path, root_path, expected",
    [
        ("/beredskap/webhooks/twilio/sms", "/beredskap", SMS_PATH),  # uvicorn --root-path
        (SMS_PATH, "/beredskap", SMS_PATH),  # a proxy that strips the prefix
        (SMS_PATH, "", SMS_PATH),
        ("/beredskap", "/beredskap", "/"),
    ],
)
def test_the_route_path_is_what_follows_the_public_url(
    path: str, root_path: str, expected: str
) -> None:
    scope = {"type": "http", "path": path, "root_path": root_path, "headers": []}
    assert route_path(Request(scope)) == expected


def test_what_cannot_be_a_twilio_form_is_refused(client: TestClient) -> None:
    signature = _sign(PUBLIC_URL + SMS_PATH, INBOUND)
    as_json = client.post(
        SMS_PATH,
        json=INBOUND,
        headers={SIGNATURE_HEADER: signature, "content-type": "application/json"},
    )
    assert as_json.status_code == 403
    not_utf8 = client.post(
        SMS_PATH, content=b"Body=\xff\xfe", headers={**FORM, SIGNATURE_HEADER: signature}
    )
    assert not_utf8.status_code == 403
    huge = {**INBOUND, "Body": "x" * MAX_WEBHOOK_BODY_BYTES}
    too_big = _post(client, SMS_PATH, huge, _sign(PUBLIC_URL + SMS_PATH, huge))
    assert too_big.status_code == 413


def test_a_verifier_needs_a_token_and_never_shows_it() -> None:
    with pytest.raises(ValueError):
        TwilioSignatureVerifier("", PUBLIC_URL)
    verifier = TwilioSignatureVerifier(SecretStr(TEST_AUTH_TOKEN), PUBLIC_URL + "/")
    assert TEST_AUTH_TOKEN not in repr(verifier)
    assert verifier.signed_url("webhooks/x", "a=1") == PUBLIC_URL + "/webhooks/x?a=1"


def test_status_callback_urls_escape_the_reference() -> None:
    assert status_callback_url(PUBLIC_URL + "/", STATUS_PATH) == PUBLIC_URL + STATUS_PATH
    assert status_callback_url(PUBLIC_URL, STATUS_PATH, "a b&c") == (
        PUBLIC_URL + STATUS_PATH + "?ref=a+b%26c"
    )


def test_twiml_replies_escape_the_text_and_may_say_nothing() -> None:
    assert twiml_reply("<Redirect>x</Redirect> & co") == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
        "&lt;Redirect&gt;x&lt;/Redirect&gt; &amp; co</Message></Response>"
    )
    assert twiml_reply(None).endswith("<Response />")


form_values = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
form_params = st.dictionaries(
    st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=12),
    form_values,
    max_size=8,
)


@settings(max_examples=300)
@given(form_params, st.sampled_from(["", "?ref=1", "?a=b&c=%20"]))
def test_our_signature_and_the_librarys_agree_and_any_change_breaks_it(
    params: dict[str, str], query: str
) -> None:
    url = PUBLIC_URL + STATUS_PATH + query
    signature = twilio_signature(TEST_AUTH_TOKEN, url, params.items())
    validator = RequestValidator(TEST_AUTH_TOKEN)
    assert signature == validator.compute_signature(url, params)
    verifier = TwilioSignatureVerifier(TEST_AUTH_TOKEN, PUBLIC_URL)
    assert verifier.is_valid(STATUS_PATH, query.lstrip("?"), params, signature)
    for key in params:
        changed = {**params, key: params[key] + "x"}
        assert not verifier.is_valid(STATUS_PATH, query.lstrip("?"), changed, signature)
