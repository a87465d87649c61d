"""What every report's documents share: its content as sections of tables (`tables.py`), laid
out as an A4 PDF (`pdf.py`, fpdf2) or a spreadsheet (`xlsx.py`, openpyxl)."""
