"""How observations are drawn on the coordinators' maps: coloured by category, sized by
severity. No Flask here.

The colours are Paul Tol's "muted" scheme, made to stay apart for people with any of
the common colour vision deficiencies, in a fixed order so that a category keeps its
colour from one page and one filter to the next. Colour is never the only sign: the
legend names each colour, and every point has its text in the list beside the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Paul Tol, "Colour schemes" (2021), muted qualitative scheme, then a dark grey that
# every category after the ninth shares (the legend says so).
PALETTE = (
    "#332288",  # indigo
    "#88ccee",  # cyan
    "#44aa99",  # teal
    "#117733",  # green
    "#999933",  # olive
    "#ddcc77",  # sand
    "#cc6677",  # rose
    "#882255",  # wine
    "#aa4499",  # purple
)
OTHER_COLOUR = "#555555"
# An observation without any category answered.
NO_CATEGORY_COLOUR = "#ffffff"

# Circle radii in screen pixels, from the mildest severity to the worst: four steps a
# reader can tell apart; a scale with more levels shares them out.
RADII = (6, 9, 12, 16)
NO_SEVERITY_RADIUS = 5


def category_colours(values: Sequence[str]) -> dict[str, str]:
    """Each category value's colour, by its place in the list (the definition's order)."""
    return {
        value: PALETTE[index] if index < len(PALETTE) else OTHER_COLOUR
        for index, value in enumerate(values)
    }


def colour_of(categories: Sequence[str], colours: dict[str, str]) -> str:
    """An observation's colour: that of its first category in the legend's order."""
    known = [value for value in colours if value in categories]
    if known:
        return colours[known[0]]
    return OTHER_COLOUR if categories else NO_CATEGORY_COLOUR


def severity_radii(values: Sequence[str]) -> dict[str, int]:
    """Each severity value's radius, the values listed from the mildest to the worst."""
    count = len(values)
    if count == 0:
        return {}
    if count == 1:
        return {values[0]: RADII[-1]}
    steps = len(RADII) - 1
    return {value: RADII[round(index * steps / (count - 1))] for index, value in enumerate(values)}


@dataclass(frozen=True)
class LegendEntry:
    value: str
    label: str
    colour: str = ""
    radius: int = 0

    @property
    def css_class(self) -> str:
        """The class that draws the swatch (the pages' styles allow no inline style)."""
        if self.colour:
            return f"swatch-{self.colour.lstrip('#')}"
        return f"size-{self.radius}"
