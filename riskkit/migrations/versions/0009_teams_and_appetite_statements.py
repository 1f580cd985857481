"""Teams (owners with members) and risk appetite edited in the web app: a statement
in words and a version counter for each category's appetite

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 08:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_team', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table('team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_team_members_member_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['users.id'], name=op.f('fk_team_members_team_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
    sa.UniqueConstraint('team_id', 'member_id', name=op.f('uq_team_members_team_id'))
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_members_team_id'), ['team_id'], unique=False)
    with op.batch_alter_table('appetites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statement', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('appetites', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('statement')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_team_id'))
        batch_op.drop_index(batch_op.f('ix_team_members_member_id'))
    op.drop_table('team_members')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_team')
