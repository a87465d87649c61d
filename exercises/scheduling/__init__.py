"""Scheduling of exercises: the jobs the platform's scheduler runs for them (their start, end
and reminders, and the sync that plans those), and the reminders themselves."""
