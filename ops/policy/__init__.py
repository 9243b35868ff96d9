"""The policy pack client: the pack process (pack), its configuration (config), the Analyzer protocol (analyzer)."""
