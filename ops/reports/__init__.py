"""Renderings of command results: one module per report (plan_text, plan_rich, plan_json), shared pieces in common."""
