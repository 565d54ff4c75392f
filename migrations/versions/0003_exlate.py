"""exlate: when register rows were made and received (late data), revisions' supersedes,
pruned batch bodies, the late-data scan mark

Revision ID: 0003_exlate
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

import workflow.db  # noqa: F401  (custom column types)


revision = '0003_exlate'
down_revision = '0002'
branch_labels = None
depends_on = None

# Day tables of the POS source: each row says when the register made it and when it arrived.
ARRIVAL_TABLES = ('pos_receipts', 'pos_receipt_lines', 'pos_payments', 'pos_cash_movements',
                  'pos_cash_counts')


def upgrade() -> None:
    for table in ARRIVAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('made_at', workflow.db.UTCDateTime(timezone=True),
                                          nullable=True))
            # rows already stored count as received at the upgrade
            batch_op.add_column(sa.Column('received_at', workflow.db.UTCDateTime(timezone=True),
                                          server_default=sa.text('(CURRENT_TIMESTAMP)'),
                                          nullable=False))
            batch_op.create_index(batch_op.f(f'ix_{table}_received_at'), ['received_at'],
                                  unique=False)
    with op.batch_alter_table('export_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supersedes', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('pruned_at', workflow.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index('ix_export_batches_day', ['business_date', 'hour'], unique=False)
    op.create_table('export_scan_marks',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('scanned_to', workflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_export_scan_marks'))
    )


def downgrade() -> None:
    op.drop_table('export_scan_marks')
    with op.batch_alter_table('export_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_export_batches_day')
        batch_op.drop_column('pruned_at')
        batch_op.drop_column('supersedes')
    for table in ARRIVAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_received_at'))
            batch_op.drop_column('received_at')
            batch_op.drop_column('made_at')
