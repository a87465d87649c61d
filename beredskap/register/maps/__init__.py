"""Map pages' folium builders: one module per map, and the parts they share.

`assets` points folium at the Leaflet files the app serves itself, `tiles` the configured
base layers, `legend` and `points` the elements the maps add, `embed` turns a folium map into
the pieces a page template places (links, the map's element, its one inline script and that
script's CSP hash). The builders take data and already translated text and return a
`folium.Map`; they read no database and know no request.
"""
