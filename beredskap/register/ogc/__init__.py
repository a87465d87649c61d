"""OGC API - Features, Part 1 (core, GeoJSON) and Part 2 (crs), over the map layers."""
