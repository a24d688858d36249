"""flask photos prune: remove the photos of walks that were never sent."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from .photos import UNCLAIMED_DAYS, prune_unclaimed


@click.group(help="Photos of places taken on safety walks.")
def photos():
    pass


@photos.command(
    "prune",
    help="Remove the photos (file and row) that no response names, uploaded more than "
    f"DAYS days ago (by default {UNCLAIMED_DAYS}): their walk was never sent. Run it daily.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=UNCLAIMED_DAYS,
    show_default=True,
    help="How old an unnamed photo must be to go.",
)
@with_appcontext
def prune(days):
    removed = prune_unclaimed(timedelta(days=days))
    photos_word = "photo" if removed == 1 else "photos"
    click.echo(f"Removed {removed} {photos_word} no response named after {days} days.")
