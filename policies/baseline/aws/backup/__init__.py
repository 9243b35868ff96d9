"""AWS backup policies."""
