"""one naming rule: a line's slug prefixes its tables, permission names and menu entries

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 15:00:00

科技特派员 was "ktp" and 专家服务基层 "gr" in table names; both lines now use their slug:
ktp_* -> commissioner_*, gr_* -> grassroots_* (with their indexes; on PostgreSQL also their
primary/foreign/unique constraints and id sequences; on SQLite the tables holding a named unique
constraint are rebuilt with the new name). The views' permission names become
"<slug>.<Name>" (FAB's class_permission_name; the views keep the old names as
previous_class_permission_name) and the lines' menu entries carry the slug. Permission rows are
renamed in place (ab_view_menu keeps its ids), so every role keeps every grant; 系统菜单 settings
and background jobs of the renamed kinds follow.
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

LINES = [  # (old prefix, new prefix, tables without the prefix)
    ("ktp_", "commissioner_", ["commissioner", "application", "agreement", "team", "team_member",
                               "team_application", "team_agreement", "org"]),
    ("gr_", "grassroots_", ["team", "team_batch", "project", "project_expert", "funding", "funding_item",
                            "evaluation", "summary", "base", "base_transfer", "base_year", "regional_summary"]),
]
VIEWS = {
    "KtpFilesView": "commissioner.Files",
    "KtpRegisterView": "commissioner.Register",
    "KtpMyView": "commissioner.My",
    "KtpApplicationView": "commissioner.Application",
    "KtpDispatchedView": "commissioner.Dispatched",
    "KtpCommissionerView": "commissioner.People",
    "KtpAgreementListView": "commissioner.AgreementList",
    "KtpOrgView": "commissioner.Org",
    "KtpOrgListView": "commissioner.OrgList",
    "KtpStatsView": "commissioner.Stats",
    "KtpTeamView": "commissioner.Team",
    "KtpTeamApplicationView": "commissioner.TeamApplication",
    "KtpTeamListView": "commissioner.TeamList",
    "KtpTeamAgreementListView": "commissioner.TeamAgreementList",
    "ExpertBaseView": "grassroots.ExpertBase",
    "BaseYearView": "grassroots.BaseYear",
    "RegionalSummaryView": "grassroots.RegionalSummary",
    "ServiceTeamView": "grassroots.ServiceTeam",
    "TeamFundingView": "grassroots.TeamFunding",
    "TeamEvaluationView": "grassroots.TeamEvaluation",
    "TeamSummaryView": "grassroots.TeamSummary",
}
MENUS = {
    "KtpAccept": "CommissionerAccept",
    "KtpAgreement": "CommissionerAgreement",
    "KtpAgreements": "CommissionerAgreements",
    "KtpApplication": "CommissionerApplication",
    "KtpApplications": "CommissionerApplications",
    "KtpDispatched": "CommissionerDispatched",
    "KtpFiles": "CommissionerFiles",
    "KtpJoin": "CommissionerJoin",
    "KtpLegalReview": "CommissionerLegalReview",
    "KtpOrg": "CommissionerOrg",
    "KtpOrgs": "CommissionerOrgs",
    "KtpPeople": "CommissionerPeople",
    "KtpProfile": "CommissionerProfile",
    "KtpPush": "CommissionerPush",
    "KtpRecords": "CommissionerRecords",
    "KtpStatistics": "CommissionerStatistics",
    "KtpTeam": "CommissionerTeam",
    "KtpTeamAgreement": "CommissionerTeamAgreement",
    "KtpTeamAgreements": "CommissionerTeamAgreements",
    "KtpTeamApplication": "CommissionerTeamApplication",
    "KtpTeamApplications": "CommissionerTeamApplications",
    "KtpTeamRecords": "CommissionerTeamRecords",
    "KtpTeams": "CommissionerTeams",
    "ServiceTeams": "GrassrootsServiceTeams",
    "TeamFunding": "GrassrootsTeamFunding",
    "TeamEvaluation": "GrassrootsTeamEvaluation",
    "TeamSummary": "GrassrootsTeamSummary",
    "ExpertBases": "GrassrootsExpertBases",
    "LegacyBase": "GrassrootsLegacyBase",
    "BaseYears": "GrassrootsBaseYears",
    "RegionalSummary": "GrassrootsRegionalSummary",
}
JOB_KINDS = {"ktp_bundle": "commissioner_bundle"}


def _rename_names(renames):
    bind = op.get_bind()
    for old, new in renames.items():
        if bind.execute(sa.text("SELECT 1 FROM ab_view_menu WHERE name = :n"), {"n": new}).first() is None:
            bind.execute(sa.text("UPDATE ab_view_menu SET name = :new WHERE name = :old"), {"new": new, "old": old})
        bind.execute(sa.text("UPDATE core_menu_setting SET name = :new WHERE name = :old"), {"new": new, "old": old})


def _like(prefix):
    return prefix.replace("_", "\\_") + "%"


def _rename_tables(old, new, tables):
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for table in tables:
        op.rename_table(old + table, new + table)
    inspector = sa.inspect(bind)
    for table in tables:
        for index in inspector.get_indexes(new + table):
            name = index["name"] or ""
            if not name.startswith("ix_" + old):
                continue
            renamed = "ix_" + new + name[len("ix_" + old):]
            if postgres:
                op.execute(f'ALTER INDEX "{name}" RENAME TO "{renamed}"')
            else:
                op.drop_index(name, table_name=new + table)
                op.create_index(renamed, new + table, index["column_names"], unique=bool(index["unique"]))
    if not postgres:  # SQLite keeps a unique constraint's name in its table's definition: rebuild those tables
        # a parent is rebuilt under its children (grassroots_base, whose years cascade): the foreign keys
        # are off meanwhile (SQLite switches them only outside a transaction: the copy's transaction is
        # committed before they go back on)
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for table in tables:
            named = [u for u in inspector.get_unique_constraints(new + table) if (u["name"] or "").startswith("uq_" + old)]
            if not named:
                continue
            with op.batch_alter_table(new + table, recreate="always") as batch:
                for u in named:
                    batch.drop_constraint(u["name"], type_="unique")
                    batch.create_unique_constraint("uq_" + new + u["name"][len("uq_" + old):], u["column_names"])
        if bind.connection.dbapi_connection.in_transaction:
            bind.exec_driver_sql("COMMIT")
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        if bind.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
            raise RuntimeError("foreign keys broken by the rebuild")
    if postgres:
        rows = bind.execute(sa.text(
            "SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
            "WHERE k.conname LIKE :a OR k.conname LIKE :b"), {"a": _like(old), "b": _like("uq_" + old)}).all()
        for table, name in rows:
            renamed = name.replace(old, new, 1)
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{name}" TO "{renamed}"')
        for (name,) in bind.execute(sa.text("SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE :p"),
                                    {"p": _like(old)}).all():
            op.execute(f'ALTER SEQUENCE "{name}" RENAME TO "{new + name[len(old):]}"')


def _rename_jobs(renames):
    for old, new in renames.items():
        op.execute(sa.text("UPDATE core_job SET kind = :new WHERE kind = :old").bindparams(new=new, old=old))


def upgrade():
    for old, new, tables in LINES:
        _rename_tables(old, new, tables)
    _rename_names(VIEWS)
    _rename_names(MENUS)
    _rename_jobs(JOB_KINDS)


def downgrade():
    _rename_jobs({v: k for k, v in JOB_KINDS.items()})
    _rename_names({v: k for k, v in MENUS.items()})
    _rename_names({v: k for k, v in VIEWS.items()})
    for old, new, tables in LINES:
        _rename_tables(new, old, tables)
