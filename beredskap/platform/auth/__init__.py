"""Users, roles, web sessions, API tokens and the permission matrix."""
