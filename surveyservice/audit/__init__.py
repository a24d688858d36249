"""The audit log: who changed what in an organisation, and when. Append-only."""
