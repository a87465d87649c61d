"""Readiness: one definition of "ready", agreements' coverage with its reasons and forecast,
the organisations' confirmations and the plan's yearly revisions."""
