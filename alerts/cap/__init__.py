"""A callout as CAP 1.2 (OASIS Common Alerting Protocol) messages, for other systems to read:
`messages.py` maps a callout's history to messages, `xml.py` writes them, `routes.py` serves
them under /api/v1/callouts/{id}/cap."""
