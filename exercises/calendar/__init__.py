"""The exercise calendar: month grid, pages, the .ics feed and its tokens."""
