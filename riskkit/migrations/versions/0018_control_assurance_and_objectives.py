"""Control assurance by the three lines, and the objectives a register holds and its
risks threaten

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def _stamps():
    return [sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('version', sa.Integer(), nullable=False)]


def upgrade():
    op.create_table(
        'control_assurances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('control_id', sa.Integer(), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('reference', sa.String(length=200), nullable=False),
        sa.Column('assured_on', sa.Date(), nullable=False),
        sa.Column('opinion', sa.String(length=20), nullable=False),
        sa.Column('next_due', sa.Date(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(['control_id'], ['controls.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_control_assurances_control', 'control_assurances',
                    ['control_id', 'assured_on'])
    op.create_table(
        'register_objectives',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('register_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(['register_id'], ['registers.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_register_objectives_register_id', 'register_objectives', ['register_id'])
    op.create_table(
        'risk_objectives',
        sa.Column('risk_id', sa.Integer(), nullable=False),
        sa.Column('objective_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['objective_id'], ['register_objectives.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('risk_id', 'objective_id'),
    )
    op.create_index('ix_risk_objectives_objective_id', 'risk_objectives', ['objective_id'])


def downgrade():
    op.drop_table('risk_objectives')
    op.drop_table('register_objectives')
    op.drop_table('control_assurances')
