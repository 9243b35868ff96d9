"""CloudWatch: log groups, metric alarms, EventBridge rules (`aws:cloudwatch/...`)."""
