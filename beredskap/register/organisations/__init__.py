"""Organisations (frivillige organisasjoner) and their sites."""
