"""Answers the database can count, and each organisation's thresholds for results

Each answered question of a response becomes a row of answer_item (with what the
counts are grouped by), so that results are one grouped query over an index instead
of reading every response's JSON. Existing responses are written out in batches.
Organisations get the two thresholds of docs/results.md, at their defaults.
Going down drops the rows (the responses keep every answer) and the thresholds.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 1000
# As collection/submissions.py writes them; a copy, so that this migration keeps
# meaning what it meant when the code moves on.
VALUED_TYPES = frozenset({"single", "yesno", "scale", "number"})


def _value_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _answered_values(types, answers):
    rows = []
    for qid, value in answers.items():
        qtype = types.get(qid)
        if qtype in VALUED_TYPES:
            rows.append((qid, _value_text(value)))
        elif qtype == "multi":
            rows += [(qid, option) for option in value]
            rows.append((qid, None))
        else:
            rows.append((qid, None))
    return rows


def _types(definition):
    types = {}
    for question in definition.get("questions", ()):
        types[question["id"]] = question["type"]
        for sub in question.get("questions", ()):
            types[sub["id"]] = sub["type"]
    return types


def upgrade():
    op.create_table('answer_item',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('response_id', sa.Uuid(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('collection_point_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('resident', 'staff', name='channel', native_enum=False, length=20), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['collection_point_id'], ['collection_point.id'], name=op.f('fk_answer_item_collection_point_id_collection_point')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_answer_item_questionnaire_id_questionnaire')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_answer_item_response_id_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], name=op.f('fk_answer_item_version_id_questionnaire_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_item'))
    )

    _backfill()

    # Made after the backfill: building an index once is cheaper than keeping it up
    # row by row.
    with op.batch_alter_table('answer_item', schema=None) as batch_op:
        batch_op.create_index('ix_answer_item_counts', ['questionnaire_id', 'question_id', 'value', 'collection_point_id', 'version_id', 'channel', 'language', 'answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_item_response_id'), ['response_id'], unique=False)

    op.add_column('organisation', sa.Column('result_k', sa.Integer(), server_default='5', nullable=False))
    op.add_column('organisation', sa.Column('result_text_k', sa.Integer(), server_default='10', nullable=False))


def _backfill():
    connection = op.get_bind()
    response = sa.table(
        'response', sa.column('id', sa.Uuid), sa.column('collection_point_id', sa.Integer),
        sa.column('version_id', sa.Integer), sa.column('language', sa.String),
        sa.column('channel', sa.String), sa.column('received_at', sa.DateTime(timezone=True)),
        sa.column('recorded_at', sa.DateTime(timezone=True)), sa.column('answers', sa.JSON),
    )
    point = sa.table('collection_point', sa.column('id', sa.Integer), sa.column('questionnaire_id', sa.Integer))
    version = sa.table('questionnaire_version', sa.column('id', sa.Integer), sa.column('definition', sa.JSON))
    item = sa.table(
        'answer_item', sa.column('response_id', sa.Uuid), sa.column('questionnaire_id', sa.Integer),
        sa.column('collection_point_id', sa.Integer), sa.column('version_id', sa.Integer),
        sa.column('channel', sa.String), sa.column('language', sa.String),
        sa.column('answered_at', sa.DateTime(timezone=True)), sa.column('question_id', sa.String),
        sa.column('value', sa.String),
    )
    questionnaire_of = dict(connection.execute(sa.select(point.c.id, point.c.questionnaire_id)).all())
    types_of = {}
    after = None
    while True:
        query = sa.select(
            response.c.id, response.c.collection_point_id, response.c.version_id,
            response.c.language, response.c.channel, response.c.received_at,
            response.c.recorded_at, response.c.answers,
        ).order_by(response.c.id).limit(BATCH)
        if after is not None:
            query = query.where(response.c.id > after)
        batch = connection.execute(query).all()
        if not batch:
            return
        rows = []
        for r in batch:
            if r.version_id not in types_of:
                definition = connection.execute(
                    sa.select(version.c.definition).where(version.c.id == r.version_id)
                ).scalar_one()
                types_of[r.version_id] = _types(definition)
            for qid, value in _answered_values(types_of[r.version_id], r.answers or {}):
                rows.append({
                    'response_id': r.id,
                    'questionnaire_id': questionnaire_of[r.collection_point_id],
                    'collection_point_id': r.collection_point_id,
                    'version_id': r.version_id,
                    'channel': r.channel,
                    'language': r.language,
                    'answered_at': r.recorded_at or r.received_at,
                    'question_id': qid,
                    'value': value,
                })
        if rows:
            connection.execute(item.insert(), rows)
        after = batch[-1].id


def downgrade():
    # Not in a batch: on SQLite a batch copies the table, and dropping the old copy of
    # a table other rows refer to fails. Both databases drop a column in place.
    op.drop_column('organisation', 'result_text_k')
    op.drop_column('organisation', 'result_k')

    with op.batch_alter_table('answer_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_item_response_id'))
        batch_op.drop_index('ix_answer_item_counts')

    op.drop_table('answer_item')
