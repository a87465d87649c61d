"""Reach: for a point and a time, what can be there (ready equipment by resource type, qualified
volunteers), estimated as the organisation's committed mobilisation plus travel."""
