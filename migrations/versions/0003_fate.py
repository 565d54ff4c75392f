"""fate of outbox jobs: claim token, failure code, Retry-After; export lease heartbeat index

Revision ID: 0003_fate
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_fate'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('last_error_code', sa.String(length=64), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('retry_after', sa.Float(), nullable=True))
        batch_op.create_index('ix_outbox_jobs_ticket_kind', ['ticket_id', 'kind', 'state'],
                              unique=False)
    with op.batch_alter_table('export_batches', schema=None) as batch_op:
        batch_op.create_index('ix_export_batches_claim_token', ['claim_token'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('export_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_export_batches_claim_token')
    with op.batch_alter_table('outbox_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_jobs_ticket_kind')
        batch_op.drop_column('retry_after')
        batch_op.drop_column('last_error_code')
        batch_op.drop_column('claim_token')
