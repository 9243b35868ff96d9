"""The alerting concern: the alert channel, the uptime check and the data tier's alarms."""
