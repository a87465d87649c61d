"""Readiness reminders: expiring qualifications, inspections due, agreements to review or
ending, organisations not confirmed; daily jobs that queue messages in the outbox."""
