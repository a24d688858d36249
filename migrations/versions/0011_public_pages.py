"""Public area pages and their publications, citizen promises with their areas and
progress notes, live results walls, and observations marked public

Nothing is public until a coordinator marks and publishes it: existing observations
stay private (public is false) and no page exists. Going down drops the tables and
the column.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:38:17.589940

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('promise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('promised_count', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('done_texts', sa.JSON(), nullable=True),
    sa.Column('done_count', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_promise_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promise'))
    )
    with op.batch_alter_table('promise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promise_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('promise_area',
    sa.Column('promise_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_promise_area_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['promise_id'], ['promise.id'], name=op.f('fk_promise_area_promise_id_promise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('promise_id', 'area_id', name=op.f('pk_promise_area'))
    )
    op.create_table('promise_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('promise_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_promise_note_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['promise_id'], ['promise.id'], name=op.f('fk_promise_note_promise_id_promise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promise_note'))
    )
    with op.batch_alter_table('promise_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promise_note_promise_id'), ['promise_id'], unique=False)

    op.create_table('public_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_public_page_area_id_area')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_public_page_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_page')),
    sa.UniqueConstraint('area_id', name=op.f('uq_public_page_area_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_public_page_slug'))
    )
    with op.batch_alter_table('public_page', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_page_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['public_page.id'], name=op.f('fk_publication_page_id_public_page')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_publication_published_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
    sa.UniqueConstraint('page_id', 'number', name=op.f('uq_publication_page_id_number'))
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_page_id'), ['page_id'], unique=False)

    op.create_table('results_wall',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('collection_point_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('shown_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('shown', sa.JSON(), nullable=True),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'], name=op.f('fk_results_wall_collection_point_id_collection_point'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_results_wall_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_results_wall_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_wall')),
    sa.UniqueConstraint('token', name=op.f('uq_results_wall_token'))
    )
    with op.batch_alter_table('results_wall', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_wall_collection_point_id'), ['collection_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_results_wall_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_column('public')

    with op.batch_alter_table('results_wall', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_wall_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_results_wall_collection_point_id'))

    op.drop_table('results_wall')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_page_id'))

    op.drop_table('publication')
    with op.batch_alter_table('public_page', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_page_organisation_id'))

    op.drop_table('public_page')
    with op.batch_alter_table('promise_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promise_note_promise_id'))

    op.drop_table('promise_note')
    op.drop_table('promise_area')
    with op.batch_alter_table('promise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promise_organisation_id'))

    op.drop_table('promise')
