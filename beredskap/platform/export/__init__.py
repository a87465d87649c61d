"""The export of the municipality's own data (`tables.py`: every table as CSV)."""
