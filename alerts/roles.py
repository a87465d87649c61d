"""Who runs callouts: the duty officer (vakthavende) and the administrator."""

from __future__ import annotations

from beredskap.platform.auth.models import Role

CALLOUT_ROLES = frozenset({Role.ADMIN, Role.DUTY_OFFICER})
