"""SNS: topics and topic policies (`aws:sns/...`)."""
