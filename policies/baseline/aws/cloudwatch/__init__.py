"""CloudWatch Logs: `aws:cloudwatch/logGroup:LogGroup`."""
