"""Collection points, QR codes and posters, the resident form and submissions."""
