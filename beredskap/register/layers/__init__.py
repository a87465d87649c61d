"""Map layers: the register's places as GeoJSON features, for the REST API, /ogc and the maps."""
