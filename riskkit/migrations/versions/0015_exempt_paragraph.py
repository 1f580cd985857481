"""The paragraph of Schedule 12A to the Local Government Act 1972 that makes an exempt
risk exempt (paragraph 3, financial or business affairs, unless said otherwise)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('risks', sa.Column('exempt_paragraph', sa.Integer(), server_default='3', nullable=False))


def downgrade():
    with op.batch_alter_table('risks', schema=None) as batch_op:
        batch_op.drop_column('exempt_paragraph')
