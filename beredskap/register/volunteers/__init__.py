"""Volunteers, their memberships and qualifications."""
