"""Indexes for the dashboard and the overdue report at council scale: rating changes
from the risks reviewed since a date, target heat maps, reviews and actions in due
order, and a person's own actions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 08:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


#: (table, index, columns)
INDEXES = [
    # Rating changes since a date: the risks reviewed since then, with the stored scores
    # before and after their latest review, from the index alone.
    ('risks', 'ix_risks_reviewed', ['last_review_date', 'status', 'register_id', 'likelihood',
                                    'impact', 'previous_likelihood', 'previous_impact',
                                    'reference']),
    # The target heat map's GROUP BY, as ix_risks_register_cells serves the current one.
    ('risks', 'ix_risks_register_target_cells', ['register_id', 'target_likelihood',
                                                 'target_impact', 'reference', 'status']),
    # Reviews in the overdue report's order (due date, then reference): a page is read
    # from the start of the index and stops when full, instead of sorting every overdue risk.
    ('risks', 'ix_risks_due', ['next_review_date', 'reference', 'status']),
    # One person's actions due (the dashboard), without reading everyone's.
    ('actions', 'ix_actions_owner_due', ['owner_id', 'status', 'target_date']),
    # Actions in the report's date order with their status, so that the finished actions
    # of past years are passed over in the index; it replaces ix_actions_target_date.
    ('actions', 'ix_actions_due', ['target_date', 'status', 'risk_id']),
]


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    op.drop_index('ix_actions_target_date', table_name='actions')


def downgrade():
    op.create_index('ix_actions_target_date', 'actions', ['target_date'], unique=False)
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
