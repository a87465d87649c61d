"""The varslingsliste: whom to alert, in order, for each task of the agreements in force, with
the municipality's own crisis roles first; as a page, a PDF and a spreadsheet for the
coordinator and the duty officer, and the coordinator's edits of its order."""
