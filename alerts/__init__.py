"""SMS callout (utkalling): the callout domain and the SMS gateway port.

Empty until the callout issue. It will own callouts, their recipients and replies, the
outbox worker that sends through an `SmsGateway` (Twilio, or a local gateway for the demo),
and reply parsing (JA/NEI/minutes). It may import `beredskap` and `geo`; the core never
imports it except in the composition roots (`beredskap.app`, `beredskap.cli`).
"""
