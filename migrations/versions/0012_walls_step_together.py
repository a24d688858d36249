"""Results walls of one collection point step together: the point keeps the count of
responses its walls' figures hold, also after a wall is removed

Each point starts at the highest count any of its walls shows; a wall that shows
figures of an older count waits for the next step (its figures are cleared). Going
down drops the column.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walls_shown_count', sa.Integer(), server_default='0', nullable=False))

    op.execute(
        "UPDATE collection_point SET walls_shown_count = COALESCE("
        "(SELECT MAX(w.shown_count) FROM results_wall w"
        " WHERE w.collection_point_id = collection_point.id), 0)"
    )
    op.execute(
        "UPDATE results_wall SET shown = NULL, shown_count = ("
        "SELECT p.walls_shown_count FROM collection_point p"
        " WHERE p.id = results_wall.collection_point_id)"
        " WHERE shown_count < (SELECT p.walls_shown_count FROM collection_point p"
        " WHERE p.id = results_wall.collection_point_id)"
    )


def downgrade():
    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.drop_column('walls_shown_count')
