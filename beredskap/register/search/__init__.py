"""Spatial search: what ready equipment and which available volunteers are near a place."""
