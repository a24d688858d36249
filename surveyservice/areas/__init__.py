"""The places an organisation works in (Sanden, Torpa, …): one managed list per
organisation, picked from wherever a place is named."""
