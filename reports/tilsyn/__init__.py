"""The inspector's evidence pack (tilsyn): a one-page summary of what the register shows met,
and the documents behind it, as a page and a zip."""
