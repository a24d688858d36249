"""The audit log, one-time links to set a password, and when a user last signed in

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_email', sa.String(length=254), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_audit_entry_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_audit_entry_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_organisation_id_at', ['organisation_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_user_id'), ['user_id'], unique=False)

    op.create_table('password_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_password_link_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_link_token_hash'))
    )
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_link_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_signed_in_at', sa.DateTime(timezone=True), nullable=True))

    _create_append_only_triggers()


# What the log says happened must stay said, whoever writes to the database.
_REFUSAL = "audit entries are never changed or deleted"


def _create_append_only_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION refuse_audit_entry_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
            END $$ LANGUAGE plpgsql
        """)
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_entry_{event.lower()} BEFORE {event} ON audit_entry
                FOR EACH ROW EXECUTE FUNCTION refuse_audit_entry_change()
            """)
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_entry_{event.lower()} BEFORE {event}
                ON audit_entry FOR EACH ROW
                BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END
            """)


def _drop_append_only_triggers():
    postgres = op.get_bind().dialect.name == "postgresql"
    for event in ("update", "delete"):
        suffix = " ON audit_entry" if postgres else ""
        op.execute(f"DROP TRIGGER audit_entry_{event}{suffix}")
    if postgres:
        op.execute("DROP FUNCTION refuse_audit_entry_change()")


def downgrade():
    _drop_append_only_triggers()
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_link_user_id'))

    op.drop_table('password_link')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))
        batch_op.drop_index('ix_audit_entry_organisation_id_at')

    op.drop_table('audit_entry')
    if op.get_bind().dialect.name == "sqlite":
        # Dropped in place (SQLite 3.35+): a batch copy of the table would drop the old
        # one, and with foreign keys on that deletes every API token (ON DELETE CASCADE).
        op.execute("ALTER TABLE user_account DROP COLUMN last_signed_in_at")
    else:
        op.drop_column('user_account', 'last_signed_in_at')
