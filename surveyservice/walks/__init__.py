"""Safety walks: each entry of a group with a position is an observation of a place,
followed up by coordinators on the area's map; photos of places, checked by decoding
and stored without metadata; the areas' own map images."""
