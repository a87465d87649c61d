"""SMS callout (utkalling): the SMS gateway port and its implementations, reply parsing.

So far the parts that need no database: `gateway` (the port), `twilio_gateway` and
`local_gateway` (Twilio, or recording only), `gateway_factory`, `webhook_signature` and
`twiml` (Twilio's webhooks), `replies` (JA / NEI / minutes / codes / STOP), `sms_texts`.
Callouts, recipients, the outbox worker and the webhooks' routes come next. It may import
`beredskap` and `geo`; the core never imports it except in the composition roots
(`beredskap.main.app`, `beredskap.main.cli`).
"""
