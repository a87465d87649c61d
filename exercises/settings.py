"""The settings section of exercises."""

from __future__ import annotations

from pydantic import Field, field_validator

from beredskap.platform.settings import PlatformSettings


class ExerciseSettings(PlatformSettings):
    """`BEREDSKAP_EXERCISE_*`, `BEREDSKAP_CALENDAR_FEED_DAYS`."""

    # --- Exercises (exercises/) -------------------------------------------------------------
    # Minutes before an exercise's start at which participants are reminded, comma-separated
    # (default a week and a day); an exercise may set its own. Alert drills have none unless
    # asked for: a drill is often unannounced.
    exercise_reminder_offsets_min: str = Field(
        default="10080,1440", max_length=200, pattern=r"^\s*(\d{1,5}\s*(,\s*\d{1,5}\s*)*)?$"
    )

    # A calendar feed link stops working this many days after it was made; its owner makes a
    # new one on the calendar page.
    calendar_feed_days: int = Field(default=365, ge=1, le=3650)

    @property
    def exercise_reminder_offsets(self) -> list[int]:
        """The default reminder offsets as minutes, largest first."""
        text = self.exercise_reminder_offsets_min.strip()
        return sorted({int(part) for part in text.split(",")} if text else set(), reverse=True)

    @field_validator("exercise_reminder_offsets_min")
    @classmethod
    def _offsets_in_range(cls, value: str) -> str:
        # 1 minute to 60 days, as an exercise's own offsets (exercises.schemas).
        if any(not 1 <= int(part) <= 86_400 for part in value.split(",") if part.strip()):
            raise ValueError("each offset is from 1 to 86400 minutes (60 days)")
        return value
