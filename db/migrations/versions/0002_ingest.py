"""ingest: read state, tables, rules, suggestions

Read state moves from a desk-wide flag on the article to one row per editor; the old
flag is dropped (it could not say who had read what). New non-null columns get server
defaults so existing rows migrate.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 23:27:10.383652
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rule",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pattern", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("regex", sa.Boolean(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_rule_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule")),
        sa.UniqueConstraint("name", name=op.f("uq_rule_name")),
    )
    op.create_table(
        "article_read",
        sa.Column("editor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_read_article_id_article")
        ),
        sa.PrimaryKeyConstraint("editor", "article_id", name=op.f("pk_article_read")),
    )
    with op.batch_alter_table("article_read", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_read_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "article_table",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("header", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_article_table_article_id_article")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_table")),
    )
    with op.batch_alter_table("article_table", schema=None) as batch_op:
        batch_op.create_index("ix_article_table_article", ["article_id", "start"], unique=False)

    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "review",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="accepted",
            )
        )

    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guid", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("rule_hits", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("match_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("match_score", sa.Float(), nullable=True))
        batch_op.create_index("ix_article_guid", ["source_id", "guid"], unique=False)
        batch_op.create_index("ix_article_triage_feed", ["triage", "sort_at", "id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_article_duplicate_of_article"), "article", ["duplicate_of"], ["id"]
        )
        batch_op.drop_column("is_read")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("article_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_event_article_id_article"), "article", ["article_id"], ["id"]
        )

    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "review",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="accepted",
            )
        )

    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.add_column(sa.Column("article_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_position_article_id_article"), "article", ["article_id"], ["id"]
        )

    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("http_status", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("warning", sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("warning")
        batch_op.drop_column("http_status")

    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_position_article_id_article"), type_="foreignkey")
        batch_op.drop_column("article_id")

    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.drop_column("review")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_event_article_id_article"), type_="foreignkey")
        batch_op.drop_column("article_id")

    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_read", sa.BOOLEAN(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_constraint(batch_op.f("fk_article_duplicate_of_article"), type_="foreignkey")
        batch_op.drop_index("ix_article_triage_feed")
        batch_op.drop_index("ix_article_guid")
        batch_op.drop_column("match_score")
        batch_op.drop_column("match_kind")
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("rule_hits")
        batch_op.drop_column("tags")
        batch_op.drop_column("priority")
        batch_op.drop_column("guid")

    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.drop_column("review")

    with op.batch_alter_table("article_table", schema=None) as batch_op:
        batch_op.drop_index("ix_article_table_article")

    op.drop_table("article_table")
    with op.batch_alter_table("article_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_read_article_id"))

    op.drop_table("article_read")
    op.drop_table("rule")
