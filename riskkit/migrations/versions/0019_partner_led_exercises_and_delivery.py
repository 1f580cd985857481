"""Partner-led exercises (lead organisation, partner's report date, lessons for the
partner), incidents that meet a cadence rule, risks and categories not testable by
exercise, and the log of who published or exported each committee document. Actions
marked done before completion dates were kept get theirs from the history.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

history = sa.table('history', sa.column('at', sa.DateTime(timezone=True)),
                   sa.column('entity', sa.String), sa.column('entity_id', sa.Integer),
                   sa.column('field', sa.String), sa.column('new_value', sa.Text))
actions = sa.table('actions', sa.column('id', sa.Integer), sa.column('status', sa.String),
                   sa.column('completed_date', sa.Date))


def upgrade():
    op.add_column('events', sa.Column('lead_organisation', sa.String(length=200), server_default='', nullable=False))
    op.add_column('events', sa.Column('partner_report_date', sa.Date(), nullable=True))
    op.add_column('lessons', sa.Column('for_partner', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('cadence_rules', sa.Column('incident_types', sa.String(length=200), server_default='', nullable=False))
    op.add_column('risks', sa.Column('not_testable_reason', sa.Text(), server_default='', nullable=False))
    op.create_table(
        'not_testable_categories',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=80), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('category'),
    )
    op.create_table(
        'document_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=120), nullable=False),
        sa.Column('action', sa.String(length=12), nullable=False),
        sa.Column('document', sa.String(length=200), nullable=False),
        sa.Column('detail', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_document_log_at', 'document_log', ['at'])
    op.create_index('ix_actions_delivery', 'actions',
                    ['target_date', 'status', 'completed_date', 'risk_id', 'owner_id'])
    # Actions done before their completion date was kept: the day the history shows
    # them marked done (the last such change, as a reopened action was done again).
    done_on = (sa.func.date(sa.func.max(history.c.at)) if op.get_bind().dialect.name == "sqlite"
               else sa.cast(sa.func.max(history.c.at), sa.Date))
    op.execute(actions.update()
               .where(actions.c.status == "done", actions.c.completed_date.is_(None))
               .values(completed_date=sa.select(done_on).where(
                   history.c.entity == "action", history.c.entity_id == actions.c.id,
                   history.c.field == "status", history.c.new_value == "done")
                   .scalar_subquery()))


def downgrade():
    op.drop_index('ix_actions_delivery', table_name='actions')
    op.drop_index('ix_document_log_at', table_name='document_log')
    op.drop_table('document_log')
    op.drop_table('not_testable_categories')
    # Plain ALTER TABLE DROP COLUMN (SQLite 3.35 and later): a batch copy of the risks
    # table would be refused by the foreign keys that point at it.
    for table, column in (('risks', 'not_testable_reason'), ('cadence_rules', 'incident_types'),
                          ('lessons', 'for_partner'), ('events', 'partner_report_date'),
                          ('events', 'lead_organisation')):
        op.drop_column(table, column)
