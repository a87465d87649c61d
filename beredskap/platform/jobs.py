"""Scheduled jobs a capability declares; the platform's scheduler runs them in the worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobDefinition:
    """A recurring job: its stable id, what it runs, and how often (seconds, or a function
    of the settings that gives them)."""

    id: str
    func: str  # "module:function", as APScheduler's job store keeps it
    name: str
    every_s: Callable[[object], float]
