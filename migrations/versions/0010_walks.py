"""Safety walks: observations with their follow-up and its history, photos, area maps,
and the organisation's tile server and names for the follow-up statuses

Observations are made from the entries of group questions as responses arrive; no
response stored before this could hold one (groups could not be answered), so there
is nothing to backfill. Going down drops the tables and columns.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Uuid(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('collection_point_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('entry', sa.Integer(), nullable=False),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('accuracy', sa.Float(), nullable=True),
    sa.Column('place', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('responsible', sa.String(length=20), nullable=True),
    sa.Column('public_note', sa.Text(), nullable=False),
    sa.Column('internal_note', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'], name=op.f('fk_observation_collection_point_id_collection_point')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_observation_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_observation_questionnaire_id_questionnaire')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_observation_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation')),
    sa.UniqueConstraint('response_id', 'question_id', 'entry', name=op.f('uq_observation_response_id_question_id_entry'))
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_collection_point_id'), ['collection_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_questionnaire_id'), ['questionnaire_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_response_id'), ['response_id'], unique=False)

    op.create_table('observation_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['observation_id'], ['observation.id'], name=op.f('fk_observation_change_observation_id_observation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_observation_change_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation_change'))
    )
    with op.batch_alter_table('observation_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_change_observation_id'), ['observation_id'], unique=False)

    op.create_table('photo',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('collection_point_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Uuid(), nullable=True),
    sa.Column('upload_hash', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=True),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'], name=op.f('fk_photo_collection_point_id_collection_point')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_photo_deleted_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_photo_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_photo_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo'))
    )
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_collection_point_id'), ['collection_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_response_id'), ['response_id'], unique=False)

    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('map_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('map_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('map_south', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('map_west', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('map_north', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('map_east', sa.Float(), nullable=True))

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tile_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('tile_attribution', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('status_names', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('status_names')
        batch_op.drop_column('tile_attribution')
        batch_op.drop_column('tile_url')

    with op.batch_alter_table('area', schema=None) as batch_op:
        for column in ('map_east', 'map_north', 'map_west', 'map_south', 'map_version', 'map_key'):
            batch_op.drop_column(column)

    op.drop_table('photo')
    op.drop_table('observation_change')
    op.drop_table('observation')
