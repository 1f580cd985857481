"""Issues beside risks (with their actions and reviews), and risk acceptances

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def _stamps():
    return [sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


def upgrade():
    op.create_table(
        'issues',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('register_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('severity', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('raised_on', sa.Date(), nullable=False),
        sa.Column('resolved_on', sa.Date(), nullable=True),
        sa.Column('resolution', sa.Text(), nullable=False),
        sa.Column('risk_id', sa.Integer(), nullable=True),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('exempt', sa.Boolean(), nullable=False),
        sa.Column('exempt_paragraph', sa.Integer(), server_default='3', nullable=False),
        sa.Column('last_review_date', sa.Date(), nullable=True),
        sa.Column('next_review_date', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(['register_id'], ['registers.id']),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id']),
        sa.ForeignKeyConstraint(['risk_id'], ['risks.id']),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reference'),
    )
    for column in ('register_id', 'owner_id', 'risk_id'):
        op.create_index(f'ix_issues_{column}', 'issues', [column])
    op.create_table(
        'issue_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('target_date', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('completed_date', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_issue_actions_issue_id', 'issue_actions', ['issue_id'])
    op.create_table(
        'issue_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('reviewed_on', sa.Date(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('before_severity', sa.Integer(), nullable=False),
        sa.Column('after_severity', sa.Integer(), nullable=False),
        sa.Column('next_review_date', sa.Date(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_issue_reviews_issue_id', 'issue_reviews', ['issue_id'])
    op.create_table(
        'acceptances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('risk_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_on', sa.Date(), nullable=False),
        sa.Column('rationale', sa.Text(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('dmt_meeting_on', sa.Date(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.Column('voided_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(['risk_id'], ['risks.id']),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_acceptances_risk_id', 'acceptances', ['risk_id'])


def downgrade():
    op.drop_index('ix_acceptances_risk_id', table_name='acceptances')
    op.drop_table('acceptances')
    op.drop_index('ix_issue_reviews_issue_id', table_name='issue_reviews')
    op.drop_table('issue_reviews')
    op.drop_index('ix_issue_actions_issue_id', table_name='issue_actions')
    op.drop_table('issue_actions')
    for column in ('register_id', 'owner_id', 'risk_id'):
        op.drop_index(f'ix_issues_{column}', table_name='issues')
    op.drop_table('issues')
