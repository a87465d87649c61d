"""beredskap: the municipal register of volunteer preparedness resources."""
