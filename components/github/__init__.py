"""The GitHub concern: `config` (the typed config model, no provider import) and `component` (the resources)."""
