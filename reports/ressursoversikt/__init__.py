"""The ressursoversikt (forskrift om kommunal beredskapsplikt § 4): the municipality's and
the voluntary organisations' resources, as a page, a PDF and a spreadsheet."""
