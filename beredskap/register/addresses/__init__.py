"""The municipality's official addresses (Kartverket's Matrikkelen download), to place a site
by its address offline: `models.py` the table, `lookup.py` the normalised match."""
