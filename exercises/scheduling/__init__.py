"""Scheduling: one APScheduler under leadership in the worker, the exercise jobs and reminders."""
