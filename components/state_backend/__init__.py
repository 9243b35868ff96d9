"""The team state backend (bootstrap project): `config` (no provider import) and `component` (the resources)."""
