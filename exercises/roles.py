"""Who plans exercises (øvingsplanlegger) and records their lessons. Everybody reads the
exercise calendar, evaluations (counts, no people) and what is overdue."""

from __future__ import annotations

from beredskap.platform.auth.models import Role

EXERCISE_PLANNERS = frozenset({Role.ADMIN, Role.PLANNER})
