"""The outbox: claims, the worker that sends them, its heartbeats, references and messages
outside a callout.
"""
