"""AWS scheduler policies."""
