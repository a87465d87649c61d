"""Preparedness agreements (beredskapsavtaler) and the capacities they commit."""
