"""The export of the municipality's data: CSV per table, the map layers as a GeoPackage."""
