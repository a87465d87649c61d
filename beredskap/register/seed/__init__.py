"""Generated data: the demo municipality and benchmark-scale data. Used by the CLI and tests."""
