"""The offline binder: a folder of the plan's documents, the volunteers' numbers and the map
layers, with a manifest of checksums, for when the system or the network is down
(`beredskap snapshot`, and nightly in the worker)."""
