"""Operational pressure indicators: level schemes (OPEL 1-4 built in), areas, indicators
with trigger bands, readings, declarations, response roles and their action cards, and
the decision log

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 14:41:25

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('level_schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('builtin', sa.Boolean(), nullable=False),
    sa.Column('proposal_rule', sa.String(length=20), nullable=False),
    sa.Column('proposal_count', sa.Integer(), nullable=True),
    sa.Column('step_down_days', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_level_schemes')),
    sa.UniqueConstraint('code', name=op.f('uq_level_schemes_code'))
    )
    op.create_table('areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('proposal_rule', sa.String(length=20), nullable=True),
    sa.Column('proposal_count', sa.Integer(), nullable=True),
    sa.Column('step_down_days', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['users.id']),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_areas')),
    sa.UniqueConstraint('name', name=op.f('uq_areas_name'))
    )
    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('frequency_days', sa.Integer(), nullable=False),
    sa.Column('triggers_state', sa.String(length=20), nullable=False),
    sa.Column('min_value', sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=True),
    sa.Column('max_value', sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id']),
    sa.ForeignKeyConstraint(['scheme_id'], ['level_schemes.id']),
    sa.ForeignKeyConstraint(['team_id'], ['users.id']),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('name', name=op.f('uq_indicators_name'))
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicators_team_id'), ['team_id'], unique=False)
    op.create_table('response_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scheme_id'], ['level_schemes.id']),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_roles')),
    sa.UniqueConstraint('scheme_id', 'name', name=op.f('uq_response_roles_scheme_id'))
    )
    op.create_table('scheme_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('word', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['scheme_id'], ['level_schemes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_levels')),
    sa.UniqueConstraint('scheme_id', 'rank', name=op.f('uq_scheme_levels_scheme_id'))
    )
    with op.batch_alter_table('scheme_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheme_levels_scheme_id'), ['scheme_id'], unique=False)
    op.create_table('card_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['level_id'], ['scheme_levels.id']),
    sa.ForeignKeyConstraint(['role_id'], ['response_roles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_steps'))
    )
    with op.batch_alter_table('card_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_steps_role_id'), ['role_id'], unique=False)
    op.create_table('declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('proposed_level_id', sa.Integer(), nullable=True),
    sa.Column('declared_by_id', sa.Integer(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id']),
    sa.ForeignKeyConstraint(['declared_by_id'], ['users.id']),
    sa.ForeignKeyConstraint(['level_id'], ['scheme_levels.id']),
    sa.ForeignKeyConstraint(['proposed_level_id'], ['scheme_levels.id']),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declarations'))
    )
    with op.batch_alter_table('declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declarations_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declarations_declared_at'), ['declared_at'], unique=False)
    op.create_table('indicator_areas',
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('indicator_id', 'area_id', name=op.f('pk_indicator_areas'))
    )
    with op.batch_alter_table('indicator_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_areas_area_id'), ['area_id'], unique=False)
    op.create_table('indicator_plans',
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['continuity_plans.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('indicator_id', 'plan_id', name=op.f('pk_indicator_plans'))
    )
    with op.batch_alter_table('indicator_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_plans_plan_id'), ['plan_id'], unique=False)
    op.create_table('indicator_triggers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('lower', sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=True),
    sa.Column('upper', sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['level_id'], ['scheme_levels.id']),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_triggers')),
    sa.UniqueConstraint('indicator_id', 'level_id', name=op.f('uq_indicator_triggers_indicator_id'))
    )
    op.create_table('readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('reading_date', sa.Date(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id']),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readings')),
    sa.UniqueConstraint('indicator_id', 'area_id', 'reading_date', name=op.f('uq_readings_indicator_id'))
    )
    with op.batch_alter_table('readings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readings_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_readings_reading_date'), ['reading_date'], unique=False)
    op.create_table('role_holders',
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['response_roles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('role_id', 'person_id', name=op.f('pk_role_holders'))
    )
    with op.batch_alter_table('role_holders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_holders_person_id'), ['person_id'], unique=False)
    op.create_table('decision_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id']),
    sa.ForeignKeyConstraint(['author_id'], ['users.id']),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id']),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_log'))
    )
    with op.batch_alter_table('decision_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_log_at'), ['at'], unique=False)
    op.create_table('indicator_risks',
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['risk_id'], ['risks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('indicator_id', 'risk_id', name=op.f('pk_indicator_risks'))
    )
    with op.batch_alter_table('indicator_risks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_risks_risk_id'), ['risk_id'], unique=False)
    op.create_table('step_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id']),
    sa.ForeignKeyConstraint(['person_id'], ['users.id']),
    sa.ForeignKeyConstraint(['step_id'], ['card_steps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_completions'))
    )
    with op.batch_alter_table('step_completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_completions_declaration_id'), ['declaration_id'], unique=False)


def downgrade():
    op.drop_table('step_completions')
    op.drop_table('indicator_risks')
    op.drop_table('decision_log')
    op.drop_table('role_holders')
    op.drop_table('readings')
    op.drop_table('indicator_triggers')
    op.drop_table('indicator_plans')
    op.drop_table('indicator_areas')
    op.drop_table('declarations')
    op.drop_table('card_steps')
    op.drop_table('scheme_levels')
    op.drop_table('response_roles')
    op.drop_table('indicators')
    op.drop_table('areas')
    op.drop_table('level_schemes')
