"""API building blocks shared by every app."""
