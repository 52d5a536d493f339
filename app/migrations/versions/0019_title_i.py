"""职称评审 I: committees and their expert libraries, review activities, applications, 主管部门配置, 职称确认

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 16:46:44.073399

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('title_committee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.Column('office', sa.String(length=100), nullable=False),
    sa.Column('review_type', sa.String(length=16), nullable=False),
    sa.Column('levels', sa.String(length=40), nullable=False),
    sa.Column('authority_unit_id', sa.Integer(), nullable=False),
    sa.Column('filing_unit_id', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=30), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('internal_only', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('applicant_natures', sa.String(length=100), nullable=False),
    sa.Column('build_mode', sa.String(length=8), nullable=False),
    sa.Column('series', sa.String(length=4), nullable=False),
    sa.Column('majors', sa.Text(), nullable=False),
    sa.Column('region_codes', sa.Text(), nullable=False),
    sa.Column('funded', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('review_state', sa.String(length=16), nullable=False),
    sa.Column('review_unit_id', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['authority_unit_id'], ['core_unit.id'], ),
    sa.ForeignKeyConstraint(['filing_unit_id'], ['core_unit.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['core_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_committee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_committee_review_state'), ['review_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_committee_review_unit_id'), ['review_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_committee_unit_id'), ['unit_id'], unique=False)

    op.create_table('title_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('scope_text', sa.String(length=50), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('written_test', sa.String(length=10), nullable=False),
    sa.Column('defense', sa.String(length=10), nullable=False),
    sa.Column('apply_start', sa.DateTime(), nullable=False),
    sa.Column('first_submit_until', sa.DateTime(), nullable=False),
    sa.Column('resubmit_until', sa.DateTime(), nullable=False),
    sa.Column('receive_until', sa.DateTime(), nullable=False),
    sa.Column('page_health', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('page_school', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('page_vocational', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('doc_number', sa.String(length=50), nullable=True),
    sa.Column('public', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('exceptional', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('groups', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('group_method', sa.String(length=8), nullable=True),
    sa.Column('saved_part', sa.String(length=16), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stage', sa.String(length=16), server_default='preparing', nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('review_state', sa.String(length=16), nullable=False),
    sa.Column('review_unit_id', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['title_committee.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['core_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_activity_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_activity_review_state'), ['review_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_activity_review_unit_id'), ['review_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_activity_unit_id'), ['unit_id'], unique=False)

    op.create_table('title_competent_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('competent_unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['title_committee.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['competent_unit_id'], ['core_unit.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['core_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('committee_id', 'region_code', name='uq_title_competent_config')
    )
    with op.batch_alter_table('title_competent_config', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_competent_config_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_competent_config_unit_id'), ['unit_id'], unique=False)

    op.create_table('title_achievement_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('heading', sa.String(length=30), nullable=False),
    sa.Column('templates', sa.String(length=120), nullable=False),
    sa.Column('requirement', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['title_activity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['committee_id'], ['title_committee.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_achievement_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_achievement_item_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_achievement_item_committee_id'), ['committee_id'], unique=False)

    op.create_table('title_activity_condition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['title_activity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_activity_condition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_activity_condition_activity_id'), ['activity_id'], unique=False)

    op.create_table('title_activity_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=4), nullable=False),
    sa.Column('majors', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['title_activity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'level', name='uq_title_activity_level')
    )
    with op.batch_alter_table('title_activity_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_activity_level_activity_id'), ['activity_id'], unique=False)

    op.create_table('title_activity_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('required', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['title_activity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_activity_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_activity_material_activity_id'), ['activity_id'], unique=False)

    op.create_table('title_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('series', sa.String(length=4), nullable=False),
    sa.Column('level', sa.String(length=4), nullable=False),
    sa.Column('major', sa.String(length=50), nullable=False),
    sa.Column('eval_method', sa.String(length=12), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('entrust_unit_id', sa.Integer(), nullable=True),
    sa.Column('competent_unit_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('sex', sa.String(length=2), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('ethnicity', sa.String(length=4), nullable=True),
    sa.Column('politics', sa.String(length=4), nullable=True),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('workplace', sa.String(length=100), nullable=False),
    sa.Column('post', sa.String(length=50), nullable=True),
    sa.Column('work_start', sa.Date(), nullable=True),
    sa.Column('current_series', sa.String(length=4), nullable=True),
    sa.Column('current_level', sa.String(length=4), nullable=True),
    sa.Column('current_title', sa.String(length=50), nullable=True),
    sa.Column('current_title_date', sa.Date(), nullable=True),
    sa.Column('education', sa.String(length=4), nullable=True),
    sa.Column('school', sa.String(length=100), nullable=True),
    sa.Column('school_major', sa.String(length=50), nullable=True),
    sa.Column('graduated_on', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('result_reason', sa.String(length=500), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('review_state', sa.String(length=16), nullable=False),
    sa.Column('review_unit_id', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['title_activity.id'], ),
    sa.ForeignKeyConstraint(['committee_id'], ['title_committee.id'], ),
    sa.ForeignKeyConstraint(['competent_unit_id'], ['core_unit.id'], ),
    sa.ForeignKeyConstraint(['entrust_unit_id'], ['core_unit.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['core_unit.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_application', schema=None) as batch_op:
        batch_op.create_index('ix_title_application_activity_series', ['activity_id', 'series', 'review_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_application_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_application_id_number'), ['id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_application_review_state'), ['review_state'], unique=False)
        batch_op.create_index('ix_title_application_review_unit', ['review_unit_id', 'review_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_application_review_unit_id'), ['review_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_application_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_application_user_id'), ['user_id'], unique=False)

    op.create_table('title_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('sex', sa.String(length=2), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('workplace', sa.String(length=100), nullable=False),
    sa.Column('series', sa.String(length=4), nullable=False),
    sa.Column('level', sa.String(length=4), nullable=False),
    sa.Column('title_name', sa.String(length=50), nullable=False),
    sa.Column('obtained_on', sa.Date(), nullable=False),
    sa.Column('issuer', sa.String(length=100), nullable=False),
    sa.Column('cert_no', sa.String(length=50), nullable=True),
    sa.Column('doc_number', sa.String(length=50), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('confirmed', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('review_state', sa.String(length=16), nullable=False),
    sa.Column('review_unit_id', sa.Integer(), nullable=True),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['core_unit.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_confirmation_review_state'), ['review_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_confirmation_review_unit_id'), ['review_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_confirmation_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_confirmation_user_id'), ['user_id'], unique=False)

    op.create_table('title_achievement_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=16), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['title_application.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['title_achievement_item.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_achievement_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_achievement_entry_application_id'), ['application_id'], unique=False)

    op.create_table('title_application_education',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('school', sa.String(length=100), nullable=False),
    sa.Column('major', sa.String(length=50), nullable=False),
    sa.Column('education', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['title_application.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_application_education', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_application_education_application_id'), ['application_id'], unique=False)

    op.create_table('title_application_work',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('workplace', sa.String(length=100), nullable=False),
    sa.Column('post', sa.String(length=50), nullable=False),
    sa.Column('content', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['title_application.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('title_application_work', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_application_work_application_id'), ['application_id'], unique=False)

    op.create_table('title_committee_expert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('chair', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('return_reason', sa.String(length=500), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('created_on', sa.DateTime(), nullable=False),
    sa.Column('changed_on', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['title_committee.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['core_unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('committee_id', 'expert_id', name='uq_title_committee_expert')
    )
    with op.batch_alter_table('title_committee_expert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_committee_expert_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_committee_expert_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_committee_expert_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_committee_expert_unit_id'), ['unit_id'], unique=False)

    op.create_table('title_expert_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('as_chair', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['title_activity.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['committee_id'], ['title_committee.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('committee_id', 'expert_id', 'year', 'activity_id', name='uq_title_expert_participation')
    )
    with op.batch_alter_table('title_expert_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_title_expert_participation_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_title_expert_participation_expert_id'), ['expert_id'], unique=False)



def downgrade():
    with op.batch_alter_table('title_expert_participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_expert_participation_expert_id'))
        batch_op.drop_index(batch_op.f('ix_title_expert_participation_committee_id'))

    op.drop_table('title_expert_participation')
    with op.batch_alter_table('title_committee_expert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_committee_expert_unit_id'))
        batch_op.drop_index(batch_op.f('ix_title_committee_expert_state'))
        batch_op.drop_index(batch_op.f('ix_title_committee_expert_expert_id'))
        batch_op.drop_index(batch_op.f('ix_title_committee_expert_committee_id'))

    op.drop_table('title_committee_expert')
    with op.batch_alter_table('title_application_work', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_application_work_application_id'))

    op.drop_table('title_application_work')
    with op.batch_alter_table('title_application_education', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_application_education_application_id'))

    op.drop_table('title_application_education')
    with op.batch_alter_table('title_achievement_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_achievement_entry_application_id'))

    op.drop_table('title_achievement_entry')
    with op.batch_alter_table('title_confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_confirmation_user_id'))
        batch_op.drop_index(batch_op.f('ix_title_confirmation_unit_id'))
        batch_op.drop_index(batch_op.f('ix_title_confirmation_review_unit_id'))
        batch_op.drop_index(batch_op.f('ix_title_confirmation_review_state'))

    op.drop_table('title_confirmation')
    with op.batch_alter_table('title_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_application_user_id'))
        batch_op.drop_index(batch_op.f('ix_title_application_unit_id'))
        batch_op.drop_index(batch_op.f('ix_title_application_review_unit_id'))
        batch_op.drop_index('ix_title_application_review_unit')
        batch_op.drop_index(batch_op.f('ix_title_application_review_state'))
        batch_op.drop_index(batch_op.f('ix_title_application_id_number'))
        batch_op.drop_index(batch_op.f('ix_title_application_committee_id'))
        batch_op.drop_index('ix_title_application_activity_series')

    op.drop_table('title_application')
    with op.batch_alter_table('title_activity_material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_activity_material_activity_id'))

    op.drop_table('title_activity_material')
    with op.batch_alter_table('title_activity_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_activity_level_activity_id'))

    op.drop_table('title_activity_level')
    with op.batch_alter_table('title_activity_condition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_activity_condition_activity_id'))

    op.drop_table('title_activity_condition')
    with op.batch_alter_table('title_achievement_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_achievement_item_committee_id'))
        batch_op.drop_index(batch_op.f('ix_title_achievement_item_activity_id'))

    op.drop_table('title_achievement_item')
    with op.batch_alter_table('title_competent_config', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_competent_config_unit_id'))
        batch_op.drop_index(batch_op.f('ix_title_competent_config_committee_id'))

    op.drop_table('title_competent_config')
    with op.batch_alter_table('title_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_activity_unit_id'))
        batch_op.drop_index(batch_op.f('ix_title_activity_review_unit_id'))
        batch_op.drop_index(batch_op.f('ix_title_activity_review_state'))
        batch_op.drop_index(batch_op.f('ix_title_activity_committee_id'))

    op.drop_table('title_activity')
    with op.batch_alter_table('title_committee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_title_committee_unit_id'))
        batch_op.drop_index(batch_op.f('ix_title_committee_review_unit_id'))
        batch_op.drop_index(batch_op.f('ix_title_committee_review_state'))

    op.drop_table('title_committee')
