"""CloudWatch Logs facts every concern's log groups share (no provider import: config models use them)."""

from __future__ import annotations

# The values CloudWatch Logs accepts for a log group's retention (PutRetentionPolicy, retentionInDays).
# 0 ("never expire") is left out on purpose: the policy pack compares retention against a minimum.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)
