"""The audit trail: one mechanism that records every insert, update and delete."""
