"""Masking of personal data in free text and coarsening of positions and times."""
