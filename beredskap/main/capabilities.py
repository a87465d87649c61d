"""The capabilities this app is made of, in the order their routes are matched.

Adding a capability: write its package with a `Capability` of its own, and add it here.
"""

from __future__ import annotations

from alerts.capability import ALERTS
from beredskap.platform.capability import Capability
from beredskap.platform.own import PLATFORM
from beredskap.register.capability import REGISTER
from exercises.capability import EXERCISES
from reports.capability import REPORTS

CAPABILITIES: tuple[Capability, ...] = (PLATFORM, REGISTER, ALERTS, EXERCISES, REPORTS)
