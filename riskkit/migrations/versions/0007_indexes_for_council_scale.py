"""Indexes for council scale: the stored current score and the indexes the dashboard
and the register list read through

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


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


def downgrade():
    op.drop_index('ix_risks_category', table_name='risks')
    op.drop_index('ix_risks_score', table_name='risks')
    op.drop_index('ix_risks_register_score', table_name='risks')
    op.drop_index('ix_risks_register_cells', table_name='risks')
    op.create_index('ix_risks_register_status', 'risks', ['register_id', 'status'], unique=False)
    op.drop_column('risks', 'current_score')
