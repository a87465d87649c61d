"""Personal data, declared once on the models' columns (`declaration`), and what uses that
declaration: erasure (`erasure`)."""
