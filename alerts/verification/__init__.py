"""Contact verification: does a volunteer's number still reach them? A check SMS with a code
of its own (`service`, `codes`), its answer routed beside callout answers (`answers`),
numbers failing for good flagged (`failures`), the command, the button and the API."""
