"""merge the three round-2 branches (exdata, exlate, fate), written side by side

Revision ID: 0004_merge_round2
Revises: 0003_exdata, 0003_exlate, 0003_fate
"""

revision = '0004_merge_round2'
down_revision = ('0003_exdata', '0003_exlate', '0003_fate')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
