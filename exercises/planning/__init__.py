"""Planning exercises: the service, recurrence, conflicts, and the planner's API, form and
pages.
"""
