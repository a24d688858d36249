"""Organisation key pairs for sealed files

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 05:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('secret_fingerprint', sa.String(length=16), nullable=False),
    sa.Column('public_spki', sa.Text(), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_key_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_key')),
    sa.UniqueConstraint('key_id', name=op.f('uq_organisation_key_key_id'))
    )
    with op.batch_alter_table('organisation_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_key_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('organisation_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_key_organisation_id'))
    op.drop_table('organisation_key')
