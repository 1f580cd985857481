"""A register's escalation threshold, and the score at which a proposal to escalate a
risk was declined

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('registers', sa.Column('escalate_at', sa.Integer(), nullable=True))
    op.add_column('risks', sa.Column('escalation_declined_score', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.drop_column('escalation_declined_score')
    with op.batch_alter_table('registers', schema=None) as batch_op:
        batch_op.drop_column('escalate_at')
