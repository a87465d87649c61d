"""HTTP building blocks shared by every domain's routes: errors, input types, pagination."""
