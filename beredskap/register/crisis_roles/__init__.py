"""The municipality's crisis-management roles and the people who hold them, in order of
alerting: the municipality's own part of the varslingsliste."""
