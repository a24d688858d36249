"""Questionnaires: the definition format, versions, diffs and the forms/ folder."""
