"""Exercises (øvelser): planning, scheduled alert drills, evaluation.

Empty until the exercises issue. It will own exercises, their participants and lessons
learned, plain job functions, and the APScheduler wiring that runs in the worker process
only. It may import `alerts`, `beredskap` and `geo`; nothing of ours imports it except the
composition roots.
"""
