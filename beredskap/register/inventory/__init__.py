"""Resource types (the catalogue) and equipment held by organisations at sites."""
