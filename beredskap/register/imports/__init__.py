"""Importing spreadsheets (CSV or XLSX) into the register: all or nothing, idempotent."""
