"""Exports of the raw responses: CSV (wide or long), XLSX and the data dictionary,
over the API and on the command line. Not suppressed: for coordinators and admins,
and every export is recorded in the audit log."""
