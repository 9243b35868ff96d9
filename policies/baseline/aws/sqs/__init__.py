"""AWS sqs policies."""
