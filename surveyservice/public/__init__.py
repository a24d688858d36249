"""What residents may read: public area pages (results under the suppression rules,
observations marked public, the citizen promises and their follow-up) and the live
results wall at events. Read-only towards results/ and walks/; everything public is
suppressed or chosen by a coordinator first."""
