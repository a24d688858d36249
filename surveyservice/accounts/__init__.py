"""Organisations, users, roles, API tokens and sign-in."""
