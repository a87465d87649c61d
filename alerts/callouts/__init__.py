"""Callouts: planning who is asked, sending, escalation, notices, and the duty officer's API
and pages.
"""
