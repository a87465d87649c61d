"""Alembic migrations: the schema on SpatiaLite and PostGIS, built from empty."""
