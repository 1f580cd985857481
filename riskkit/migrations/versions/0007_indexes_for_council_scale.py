"""Indexes for council scale: the stored current score and the indexes the dashboard
and the register list read through

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


#: (table, index, columns before, columns after)
WIDENED = [
    ('risks', 'ix_risks_next_review', ['status', 'next_review_date'],
     ['status', 'next_review_date', 'register_id']),
    ('actions', 'ix_actions_status_target', ['status', 'target_date'],
     ['status', 'target_date', 'risk_id']),
    ('reviews', 'ix_reviews_reviewed_on', ['reviewed_on'],
     ['reviewed_on', 'risk_id', 'id', 'before_likelihood', 'before_impact']),
]


def upgrade():
    # Added whole, with a default for the moment it takes to fill: a batch copy of the
    # risks table would trip the foreign keys of the tables that point at it.
    op.add_column('risks', sa.Column('current_score', sa.Integer(), nullable=False,
                                     server_default='0'))
    op.execute("UPDATE risks SET current_score = likelihood * impact")
    op.drop_index('ix_risks_register_status', table_name='risks')
    op.create_index('ix_risks_register_cells', 'risks',
                    ['register_id', 'likelihood', 'impact', 'reference', 'status'],
                    unique=False)
    op.create_index('ix_risks_register_score', 'risks',
                    ['register_id', 'current_score'], unique=False)
    op.create_index('ix_risks_score', 'risks', ['current_score'],
                    unique=False)
    op.create_index('ix_risks_category', 'risks', ['category'], unique=False)
    # Wider versions of earlier indexes, so the overdue counts and the rating changes are
    # read from indexes alone.
    op.create_index('ix_risks_id_status', 'risks',
                    ['id', 'status', 'register_id', 'likelihood', 'impact'], unique=False)
    for table, name, old, new in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, new, unique=False)


def downgrade():
    for table, name, old, new in WIDENED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, old, unique=False)
    op.drop_index('ix_risks_id_status', table_name='risks')
    op.drop_index('ix_risks_category', table_name='risks')
    op.drop_index('ix_risks_score', table_name='risks')
    op.drop_index('ix_risks_register_score', table_name='risks')
    op.drop_index('ix_risks_register_cells', table_name='risks')
    op.create_index('ix_risks_register_status', 'risks', ['register_id', 'status'], unique=False)
    op.drop_column('risks', 'current_score')
