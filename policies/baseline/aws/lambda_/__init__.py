"""AWS Lambda policies."""
