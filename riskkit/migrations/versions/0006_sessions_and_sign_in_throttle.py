"""Sessions and sign-in throttle: a per-user session token, and throttle counters in
place of the failed-login list

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 17:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    # Each existing user gets a token of their own (so one user's sign-out ends no one
    # else's sessions); sessions made before this upgrade end.
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_token=secrets.token_urlsafe(24)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)

    op.create_table('sign_in_throttles',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('last_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttles'))
    )
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttles_last_try_at'), ['last_try_at'], unique=False)
    with op.batch_alter_table('failed_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failed_logins_email'))
        batch_op.drop_index(batch_op.f('ix_failed_logins_at'))
    op.drop_table('failed_logins')


def downgrade():
    op.create_table('failed_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_logins'))
    )
    with op.batch_alter_table('failed_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_logins_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_failed_logins_email'), ['email'], unique=False)
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_throttles_last_try_at'))
    op.drop_table('sign_in_throttles')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
