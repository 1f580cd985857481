"""The reason given for a change (closing or escalating a risk, marking an action done)
kept on its history rows

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 08:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('history', sa.Column('reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.drop_column('reason')
