"""A collection point's name in other languages

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 05:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('names', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.drop_column('names')
