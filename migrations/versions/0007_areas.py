"""Areas as a managed list per organisation; the organisation's time zone

Each organisation's collection points named their area in free text. The distinct
names become areas, merged when they differ only in case or spacing ("Sanden",
"sanden " and " SANDEN" are one area, named as most of its points spell it, trimmed),
and each point refers to its area by area_id. Going down writes the area's name back
into the points' free-text column and drops the list.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:00:00

"""
from collections import Counter
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _tidy(name):
    return " ".join((name or "").split())


def upgrade():
    op.create_table('area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_area_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area')),
    sa.UniqueConstraint('organisation_id', 'key', name=op.f('uq_area_organisation_id_key'))
    )
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='Europe/Stockholm', nullable=False))

    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_id', sa.Integer(), nullable=True))

    connection = op.get_bind()
    point = sa.table('collection_point', sa.column('id', sa.Integer), sa.column('organisation_id', sa.Integer),
                     sa.column('area', sa.String), sa.column('area_id', sa.Integer))
    area = sa.table('area', sa.column('id', sa.Integer), sa.column('organisation_id', sa.Integer),
                    sa.column('name', sa.String), sa.column('key', sa.String),
                    sa.column('created_at', sa.DateTime(timezone=True)))
    rows = connection.execute(sa.select(point.c.id, point.c.organisation_id, point.c.area).order_by(point.c.id)).all()
    spellings = {}
    for _, org_id, name in rows:
        tidy = _tidy(name) or "?"
        spellings.setdefault((org_id, tidy.casefold()), Counter())[tidy] += 1
    # SQLite keeps no zone; a naive UTC time is what the model's column type stores there.
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    area_ids = {}
    for (org_id, key), names in sorted(spellings.items()):
        # The spelling most points use; on a tie, the first in sort order (capitals first).
        name = sorted(names.items(), key=lambda item: (-item[1], item[0]))[0][0]
        area_ids[org_id, key] = connection.execute(
            area.insert().values(organisation_id=org_id, name=name, key=key, created_at=now)
            .returning(area.c.id)
        ).scalar_one()
    for point_id, org_id, name in rows:
        key = (_tidy(name) or "?").casefold()
        connection.execute(point.update().where(point.c.id == point_id).values(area_id=area_ids[org_id, key]))

    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.alter_column('area_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_collection_point_area_id'), ['area_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_collection_point_area_id_area'), 'area', ['area_id'], ['id'])
        batch_op.drop_column('area')


def downgrade():
    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area', sa.String(length=100), nullable=True))

    connection = op.get_bind()
    point = sa.table('collection_point', sa.column('area', sa.String), sa.column('area_id', sa.Integer))
    area = sa.table('area', sa.column('id', sa.Integer), sa.column('name', sa.String))
    connection.execute(
        point.update().values(
            area=sa.select(area.c.name).where(area.c.id == point.c.area_id).scalar_subquery()
        )
    )

    with op.batch_alter_table('collection_point', schema=None) as batch_op:
        batch_op.alter_column('area', existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_collection_point_area_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_collection_point_area_id'))
        batch_op.drop_column('area_id')

    # Not in a batch: on SQLite a batch copies the table, and dropping the old copy of
    # a table other rows refer to fails. Both databases drop a column in place.
    op.drop_column('organisation', 'time_zone')

    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_organisation_id'))

    op.drop_table('area')
