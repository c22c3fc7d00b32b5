"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 22:30:44.908214
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actor",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["actor.id"], name=op.f("fk_actor_parent_id_actor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor")),
        sa.UniqueConstraint("name", name=op.f("uq_actor_name")),
    )
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("editor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("txn", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("op", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index("ix_change_entity", ["entity", "entity_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_txn"), ["txn"], unique=False)

    op.create_table(
        "collection",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection")),
        sa.UniqueConstraint("name", name=op.f("uq_collection_name")),
    )
    op.create_table(
        "event",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column("precision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("review", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("editor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_timeline", ["date", "id"], unique=False)

    op.create_table(
        "issue",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue")),
    )
    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.create_index("ix_issue_grid", ["title", "id"], unique=False)

    op.create_table(
        "source",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("etag", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("last_modified", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("error_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("error_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("error_message", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("url", name=op.f("uq_source_url")),
    )
    op.create_table(
        "actor_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("norm", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_actor_alias_actor_id_actor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_alias")),
        sa.UniqueConstraint("actor_id", "norm", name="uq_actor_alias_norm"),
    )
    with op.batch_alter_table("actor_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_alias_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actor_alias_norm"), ["norm"], unique=False)

    op.create_table(
        "article",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("canonical_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("byline", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sort_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("triage", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        sa.Column("starred", sa.Boolean(), nullable=False),
        sa.Column("assignee", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_article_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article")),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_canonical_url"), ["canonical_url"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_article_content_hash"), ["content_hash"], unique=False)
        batch_op.create_index("ix_article_feed", ["sort_at", "id"], unique=False)
        batch_op.create_index(
            "ix_article_source_feed", ["source_id", "sort_at", "id"], unique=False
        )

    op.create_table(
        "collection_item",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_item_collection_id_collection"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_item")),
    )
    with op.batch_alter_table("collection_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_collection_item_rank", ["collection_id", "rank", "id"], unique=False
        )

    op.create_table(
        "event_actor",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_event_actor_actor_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_actor_event_id_event")
        ),
        sa.PrimaryKeyConstraint("event_id", "actor_id", name=op.f("pk_event_actor")),
    )
    with op.batch_alter_table("event_actor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_actor_actor_id"), ["actor_id"], unique=False)

    op.create_table(
        "position",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("review", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("editor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_position_actor_id_actor")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issue.id"], name=op.f("fk_position_issue_id_issue")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position")),
    )
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_position_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            "ix_position_cell", ["issue_id", "actor_id", "as_of", "id"], unique=False
        )

    op.create_table(
        "statement",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.Column("evidence_exact", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("evidence_prefix", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("evidence_suffix", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("attribution", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("quote", sa.Boolean(), nullable=False),
        sa.Column("said_on", sa.Date(), nullable=True),
        sa.Column("said_until", sa.Date(), nullable=True),
        sa.Column("date_precision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("date_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("review", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("verification", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("editor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name=op.f("fk_statement_article_id_article")
        ),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issue.id"], name=op.f("fk_statement_issue_id_issue")
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["actor.id"], name=op.f("fk_statement_speaker_id_actor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement")),
    )
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_statement_article", ["article_id", "evidence_start"], unique=False
        )
        batch_op.create_index("ix_statement_issue", ["issue_id", "said_on"], unique=False)
        batch_op.create_index("ix_statement_review", ["review", "id"], unique=False)
        batch_op.create_index("ix_statement_speaker", ["speaker_id", "said_on"], unique=False)
        batch_op.create_index("ix_statement_timeline", ["said_on", "id"], unique=False)

    op.create_table(
        "event_statement",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_statement_event_id_event")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_event_statement_statement_id_statement"),
        ),
        sa.PrimaryKeyConstraint("event_id", "statement_id", name=op.f("pk_event_statement")),
    )
    with op.batch_alter_table("event_statement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_statement_statement_id"), ["statement_id"], unique=False
        )

    op.create_table(
        "link",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("review", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("editor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_id"], ["statement.id"], name=op.f("fk_link_from_id_statement")
        ),
        sa.ForeignKeyConstraint(["to_id"], ["statement.id"], name=op.f("fk_link_to_id_statement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link")),
        sa.UniqueConstraint("from_id", "to_id", "relation", name="uq_link_pair"),
    )
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.create_index("ix_link_to", ["to_id"], unique=False)

    op.create_table(
        "position_statement",
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["position_id"],
            ["position.id"],
            name=op.f("fk_position_statement_position_id_position"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_position_statement_statement_id_statement"),
        ),
        sa.PrimaryKeyConstraint("position_id", "statement_id", name=op.f("pk_position_statement")),
    )
    with op.batch_alter_table("position_statement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_position_statement_statement_id"), ["statement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("position_statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_position_statement_statement_id"))

    op.drop_table("position_statement")
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.drop_index("ix_link_to")

    op.drop_table("link")
    with op.batch_alter_table("event_statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_statement_statement_id"))

    op.drop_table("event_statement")
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_index("ix_statement_timeline")
        batch_op.drop_index("ix_statement_speaker")
        batch_op.drop_index("ix_statement_review")
        batch_op.drop_index("ix_statement_issue")
        batch_op.drop_index("ix_statement_article")

    op.drop_table("statement")
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_index("ix_position_cell")
        batch_op.drop_index(batch_op.f("ix_position_actor_id"))

    op.drop_table("position")
    with op.batch_alter_table("event_actor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_actor_actor_id"))

    op.drop_table("event_actor")
    with op.batch_alter_table("collection_item", schema=None) as batch_op:
        batch_op.drop_index("ix_collection_item_rank")

    op.drop_table("collection_item")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index("ix_article_source_feed")
        batch_op.drop_index("ix_article_feed")
        batch_op.drop_index(batch_op.f("ix_article_content_hash"))
        batch_op.drop_index(batch_op.f("ix_article_canonical_url"))

    op.drop_table("article")
    with op.batch_alter_table("actor_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_alias_norm"))
        batch_op.drop_index(batch_op.f("ix_actor_alias_actor_id"))

    op.drop_table("actor_alias")
    op.drop_table("source")
    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.drop_index("ix_issue_grid")

    op.drop_table("issue")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_timeline")

    op.drop_table("event")
    op.drop_table("collection")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_txn"))
        batch_op.drop_index("ix_change_entity")

    op.drop_table("change")
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_parent_id"))

    op.drop_table("actor")
