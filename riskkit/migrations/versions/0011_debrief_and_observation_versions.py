"""Version counters on debriefs and observations, now that they can be corrected and
removed on the web: an edit of one read before someone else's save is refused

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ('debriefs', 'observations')


def upgrade():
    for table in TABLES:
        # Every existing row starts at version 1; the default only fills them.
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                       server_default='1'))
        with op.batch_alter_table(table) as batch:
            batch.alter_column('version', server_default=None)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('version')
