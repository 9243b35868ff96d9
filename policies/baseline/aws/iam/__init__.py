"""IAM policies."""
