"""Evaluation: a drill's figures, chart, report (page and PDF), lessons learned and what is
overdue.
"""
