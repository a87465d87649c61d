"""Spatial toolkit: SRIDs, CRS conversion, Norway's extent, and backend-neutral spatial SQL.

Depends on no package of ours.
"""
