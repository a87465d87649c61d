"""Reports: the plan's annexes drawn from the register (the ressursoversikt first), as pages,
PDFs and spreadsheets, each marked as exempt from public access and audited as a read."""
