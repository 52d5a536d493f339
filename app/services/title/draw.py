"""评审会议管理 — 专家抽选 and 确认出席 (004 §1.2.5 一, TR-15 §1, TR-16 §1).

设置抽取范围: a meeting's ``DrawGroup`` rows (major, title level, count). The candidates of a group are
the committee's in-library (``state == "in"``) active experts of that major and level, not already a
candidate of an earlier group (groups in sort order take their candidates first-come: an expert is a
candidate of one group only).

开始抽选: :func:`start_draw` snapshots the candidates (``Draw.pool``), the rules (``Draw.rules``), the
multiplier and a random seed, then runs the PURE function :func:`compute_draw` on them and stores the
list (``Draw.result`` and its SHA-256 ``result_digest``). :func:`replay` recomputes the list from the
stored row alone; :func:`check_rules` proves every rule from the stored row alone. The rules
(manual 注意事项), as read here:

《1》 at least one 主任委员 among the members (the first ``count`` drawn of each group) of the whole draw.
    A chair candidate is an expert whose library role is 主任委员 (``CommitteeExpert.chair == "chair"``)
    and who was NOT last year's chair (an ``ExpertParticipation`` of this committee in ``year - 1`` with
    ``as_chair``). Last year's chair may still be drawn, as an ordinary member (``chair`` false). When
    several chair candidates are confirmed, the staff choose the 执行主任.
《2》 a non-chair expert (library role not 主任委员) who sat this committee's meetings in each of the three
    previous years (``ExpertParticipation`` in ``year-1``, ``year-2``, ``year-3``) is not drawn.

确认出席: confirm / cancel, replace a cancelled member from the same group's reserve in draw order, the
执行主任, and 完成确认 (the meeting moves on to 专家分组 or 人员分配). Who sat — and who chaired, the 执行主任 — is
recorded in ``ExpertParticipation`` when the meeting's votes are counted (voting.py), for next years' rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import secrets
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select

from app import gc_paused
from app.extensions import db
from app.services.core import audit, dicts
from app.services.title import meetings
from app.services.title.common import TitleError
from models.experts.expert import Expert
from models.title.committee import CommitteeExpert, ExpertParticipation
from models.title.meeting import MULTIPLIERS, Draw, DrawGroup, Meeting, MeetingExpert

# the rules applied by this version of the draw (stored with every draw; compute_draw reads them)
RULES: dict[str, Any] = {
    "version": 1,
    "min_chairs": 1,  # 《1》 at least one chair candidate among the members of the whole draw
    "last_year_chair_not_candidate": True,  # 《1》 last year's chair is not a chair candidate
    "three_years_non_chair_excluded": True,  # 《2》 a non-chair who sat the three previous years is not drawn
    "one_group_per_expert": True,  # an expert is a candidate of one group only (first-come, group order)
    "members_first": True,  # the first ``count`` drawn of a group are members, the rest the reserve
    "rounding": "half_up",  # drawn = round_half_up(count × multiplier)
}


class DrawError(TitleError):
    """A draw that cannot be made from the pool (too few candidates, no chair candidate)."""


# -- the pure part ---------------------------------------------------------------------------------


def drawn_count(count: int, multiplier: str) -> int:
    """round(count × multiplier), halves up (3 × 1.5 = 4.5 → 5)."""
    return int((Decimal(int(count)) * Decimal(str(multiplier))).to_integral_value(rounding=ROUND_HALF_UP))


# A candidate, unpacked from the snapshot: (expert id, 主任委员?, last year's chair?, years sat) where the
# years sat are a bit mask: bit k-1 set = sat this committee's meeting in ``year - k`` (k = 1, 2, 3).
Candidate = tuple[int, bool, bool, int]
ALL_THREE = 0b111


def candidates(group: Mapping[str, Any]) -> list[Candidate]:
    """A snapshot group's candidates, in its canonical order (expert id). The snapshot keeps them as
    parallel arrays (``ids``, ``chair``, ``last_chair``, ``sat``): compact to store and to replay."""
    return [(int(i), bool(c), bool(lc), int(m)) for i, c, lc, m in
            zip(group["ids"], group["chair"], group["last_chair"], group["sat"], strict=True)]


def pack(cands: Iterable[Candidate]) -> dict[str, list[int]]:
    """Candidates (by expert id) as the snapshot's parallel arrays."""
    rows = sorted(cands)
    return {"ids": [c[0] for c in rows], "chair": [int(c[1]) for c in rows],
            "last_chair": [int(c[2]) for c in rows], "sat": [int(c[3]) for c in rows]}


def is_excluded(c: Candidate, rules: Mapping[str, Any]) -> bool:
    """《2》: a non-chair who sat each of the three previous years."""
    return bool(rules.get("three_years_non_chair_excluded")) and not c[1] and (c[3] & ALL_THREE) == ALL_THREE


def is_chair_candidate(c: Candidate, rules: Mapping[str, Any]) -> bool:
    """《1》: a 主任委员, and (by the rule) not last year's chair."""
    return c[1] and not (rules.get("last_year_chair_not_candidate") and c[2])


def eligible_of(group: Mapping[str, Any], rules: Mapping[str, Any]) -> list[Candidate]:
    """A group's candidates that may be drawn, in the snapshot's canonical order (expert id)."""
    return [c for c in candidates(group) if not is_excluded(c, rules)]


def compute_draw(pool: Mapping[str, Any], rules: Mapping[str, Any], multiplier: str, seed: str) -> list[dict]:
    """The draw, a pure function of its inputs (``random.Random(seed)`` only): per group in order, a
    random permutation of its eligible candidates, of which the first round(count × multiplier) are
    drawn (the first ``count`` members, the rest the reserve, in draw order). When no member of the
    whole draw is a chair candidate, one chair candidate chosen at random (over all groups, in group
    and id order) is moved to a random member place of its group. Raises DrawError when a group has
    too few candidates or no chair candidate can be drawn.

    ``pool``: {"year": Y, "groups": [{"id", "name", "count", "ids", "chair", "last_chair", "sat"}]} (see
    :func:`candidates`). Returns [{"order", "group", "expert", "chair", "reserve"}].
    """
    rng = random.Random(str(seed))
    perms: list[list[Candidate]] = []
    needs: list[int] = []
    for group in pool["groups"]:
        eligible = eligible_of(group, rules)
        need = drawn_count(group["count"], multiplier)
        if len(eligible) < need:
            raise DrawError(_("“%(g)s”组符合条件的专家%(n)d人，少于抽取人数%(c)d×倍数%(m)s＝%(p)d人",
                              g=group["name"], n=len(eligible), c=int(group["count"]), m=multiplier, p=need))
        perm = list(eligible)
        rng.shuffle(perm)
        perms.append(perm)
        needs.append(need)
    min_chairs = int(rules.get("min_chairs") or 0)
    if min_chairs:
        members_chairs = sum(1 for gi, group in enumerate(pool["groups"])
                             for c in perms[gi][:int(group["count"])] if is_chair_candidate(c, rules))
        if members_chairs < min_chairs:
            options = [(gi, c) for gi, group in enumerate(pool["groups"])
                       for c in eligible_of(group, rules) if is_chair_candidate(c, rules)]
            if not options:
                raise DrawError(_("抽选范围内没有可作为主任委员备选的专家（主任委员，且非上年度主任委员），"
                                  "不能满足“主任委员最少抽选一人”的规则"))
            gi, chosen = options[rng.randrange(len(options))]
            perm = perms[gi]
            perm.remove(chosen)
            perm.insert(rng.randrange(int(pool["groups"][gi]["count"])), chosen)
    out: list[dict] = []
    order = 0
    for gi, group in enumerate(pool["groups"]):
        for k, c in enumerate(perms[gi][:needs[gi]]):
            order += 1
            out.append({"order": order, "group": group["id"], "expert": c[0],
                        "chair": is_chair_candidate(c, rules), "reserve": k >= int(group["count"])})
    return out


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of ``value`` (a draw's result, pool or rules)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_rules(pool: Mapping[str, Any], rules: Mapping[str, Any], multiplier: str,
                result: list[dict]) -> list[str]:
    """Every rule checked on a draw's stored pool and result; the violations found (empty: all hold)."""
    problems: list[str] = []
    by_group = {g["id"]: g for g in pool["groups"]}
    cand = {g["id"]: {c[0]: c for c in candidates(g)} for g in pool["groups"]}
    seen: dict[int, Any] = {}
    for g in pool["groups"]:
        for c in candidates(g):
            if c[0] in seen:
                problems.append(_("专家%(e)s同时是两个小组的备选专家", e=c[0]))
            seen[c[0]] = g["id"]
    drawn: set[int] = set()
    chairs = 0
    for row in result:
        g, e = row["group"], int(row["expert"])
        c = cand.get(g, {}).get(e)
        if c is None:
            problems.append(_("专家%(e)s不在所属小组的备选名单中", e=e))
            continue
        if e in drawn:
            problems.append(_("专家%(e)s被重复抽中", e=e))
        drawn.add(e)
        if is_excluded(c, rules):
            problems.append(_("专家%(e)s为连续三年参会的非主任专家，不应被抽中", e=e))
        if bool(row["chair"]) != is_chair_candidate(c, rules):
            problems.append(_("专家%(e)s的主任委员备选标记与规则不符", e=e))
        if row["chair"] and not row["reserve"]:
            chairs += 1
    for gid, g in by_group.items():
        rows = [r for r in result if r["group"] == gid]
        members = [r for r in rows if not r["reserve"]]
        if len(rows) != drawn_count(g["count"], multiplier) or len(members) != int(g["count"]):
            problems.append(_("“%(g)s”组抽中人数与抽取人数、倍数不符", g=g["name"]))
        if [r["reserve"] for r in rows] != sorted(r["reserve"] for r in rows):
            problems.append(_("“%(g)s”组候补专家排在正式专家之前", g=g["name"]))
    if chairs < int(rules.get("min_chairs") or 0):
        problems.append(_("正式抽中的专家中没有主任委员"))
    if [r["order"] for r in result] != list(range(1, len(result) + 1)):
        problems.append(_("抽选顺序不连续"))
    return problems


# -- the pool --------------------------------------------------------------------------------------


def _library(meeting: Meeting, sort: bool = True) -> list[tuple[int, str, str, bool]]:
    """The committee's in-library active experts: (expert id, major, title level, 主任委员?), by id
    (``sort``; the pool sorts each group's candidates itself)."""
    rows = db.session.connection().execute(
        select(CommitteeExpert.expert_id, Expert.major, Expert.title, CommitteeExpert.chair)
        .join(Expert, CommitteeExpert.expert_id == Expert.id)
        .where(CommitteeExpert.committee_id == meeting.activity.committee_id, CommitteeExpert.state == "in",
               CommitteeExpert.active.is_(True))).all()
    out = [(r[0], r[1], r[2], r[3] == "chair") for r in rows]
    return sorted(out) if sort else out


def _history(meeting: Meeting) -> tuple[dict[int, int], set[int]]:
    """The previous three years on this committee: expert id -> years-sat mask (bit k-1: sat in
    ``year - k``), and last year's chairs."""
    year = meeting.activity.year
    sat: dict[int, int] = {}
    last_chairs: set[int] = set()
    for eid, y, as_chair in db.session.connection().execute(
            select(ExpertParticipation.expert_id, ExpertParticipation.year, ExpertParticipation.as_chair)
            .where(ExpertParticipation.committee_id == meeting.activity.committee_id,
                   ExpertParticipation.year.in_((year - 1, year - 2, year - 3)))).all():
        sat[eid] = sat.get(eid, 0) | (1 << (year - y - 1))
        if as_chair and y == year - 1:
            last_chairs.add(eid)
    return sat, last_chairs


def build_pool(meeting: Meeting, groups: Iterable[Any] | None = None) -> dict[str, Any]:
    """The snapshot of the candidates of ``groups`` (default the meeting's groups, in order): per group
    its id, name, major, level, count and its candidates by expert id as parallel arrays (``ids``,
    ``chair``: 主任委员 in the library, ``last_chair``: last year's chair, ``sat``: the years-sat mask)."""
    groups = list(meeting.groups if groups is None else groups)
    sat, last_chairs = _history(meeting)
    by_key: dict[tuple[str, str], list[tuple[int, bool, bool, int]]] = {}
    for eid, major, title, chair in _library(meeting, sort=False):
        by_key.setdefault((major, title), []).append((eid, chair, eid in last_chairs, sat.get(eid, 0)))
    taken: set[int] = set()
    out = []
    for g in groups:
        cands = [c for c in by_key.get((g.major, g.title_level), []) if c[0] not in taken]
        taken.update(c[0] for c in cands)
        out.append({"id": g.id, "name": g.name, "major": g.major, "level": g.title_level, "count": int(g.count),
                    **pack(cands)})
    return {"year": int(meeting.activity.year), "committee": meeting.activity.committee_id, "groups": out}


def majors_of(meeting: Meeting) -> list[str]:
    """The majors present among the committee's in-library active experts."""
    return sorted({row[1] for row in _library(meeting)})


def levels_of(meeting: Meeting) -> list[tuple[str, str]]:
    """The title levels present among them, as (code, label)."""
    codes = sorted({row[2] for row in _library(meeting)})
    return [(c, dicts.label("title_level", c) or c) for c in codes]


class _Probe:
    def __init__(self, major: str, level: str) -> None:
        self.id, self.name, self.major, self.title_level, self.count = 0, "", major, level, 0


def eligible_count(meeting: Meeting, major: str, level: str, exclude_group_id: int | None = None) -> dict[str, int]:
    """The live count of the 新增抽选小组 form: the experts a new group of ``major`` and ``level`` (after
    the existing groups) would have as candidates, minus those the rules exclude; and its chair candidates."""
    groups = [g for g in meeting.groups if g.id != exclude_group_id] + [_Probe(major or "", level or "")]
    pool = build_pool(meeting, groups)
    group = pool["groups"][-1]
    eligible = eligible_of(group, RULES)
    return {"candidates": len(group["ids"]), "eligible": len(eligible),
            "excluded": len(group["ids"]) - len(eligible),
            "chairs": sum(1 for c in eligible if is_chair_candidate(c, RULES))}


# -- groups ----------------------------------------------------------------------------------------


def _require_drawing(meeting: Meeting) -> None:
    meetings.require_state(meeting, "drawing")


def _group_of(meeting: Meeting, group_id: Any) -> DrawGroup:
    try:
        gid = int(group_id)
    except (TypeError, ValueError):
        gid = 0
    group = db.session.get(DrawGroup, gid)
    if group is None or group.meeting_id != meeting.id:
        raise TitleError(_("所选抽选小组不属于本次评审会议"))
    return group


def add_group(user: Any, meeting: Meeting, data: Mapping[str, Any], group: DrawGroup | None = None) -> DrawGroup:
    """新增抽选小组 (or edit ``group``): name, major, title level, count."""
    _require_drawing(meeting)
    name = (data.get("name") or "").strip()
    major = (data.get("major") or "").strip()
    level = (data.get("title_level") or "").strip()
    if not name:
        raise TitleError(_("请填写小组名称"))
    if len(name) > 50:
        raise TitleError(_("小组名称不能超过50个字"))
    if major not in majors_of(meeting):
        raise TitleError(_("从事专业“%(m)s”不在本评委会在库活跃专家的专业中", m=major))
    if level not in {c for c, _l in levels_of(meeting)}:
        raise TitleError(_("请选择职称层级"))
    try:
        count = int(str(data.get("count") or "").strip())
    except ValueError:
        count = 0
    if count < 1:
        raise TitleError(_("抽取人数须为正整数"))
    dup = [g for g in meeting.groups if g.name == name and (group is None or g.id != group.id)]
    if dup:
        raise TitleError(_("已有名为“%(n)s”的抽选小组", n=name))
    live = eligible_count(meeting, major, level, exclude_group_id=group.id if group else None)
    if count > live["eligible"]:
        raise TitleError(_("抽取人数%(c)d超过符合条件的专家人数%(n)d", c=count, n=live["eligible"]))
    creating = group is None
    if group is None:
        sort = max([g.sort for g in meeting.groups] or [0]) + 1
        group = DrawGroup(meeting_id=meeting.id, sort=sort)
        db.session.add(group)
    group.name, group.major, group.title_level, group.count = name, major, level, count
    db.session.flush()
    db.session.expire(meeting, ["groups"])
    audit.record("create" if creating else "update", group, user=user,
                 detail=f"draw_group:{name}:{major}:{level}:{count}")
    return group


def edit_group(user: Any, meeting: Meeting, group_id: Any, data: Mapping[str, Any]) -> DrawGroup:
    return add_group(user, meeting, data, group=_group_of(meeting, group_id))


def delete_group(user: Any, meeting: Meeting, group_id: Any) -> None:
    _require_drawing(meeting)
    group = _group_of(meeting, group_id)
    audit.record("delete", group, user=user, detail=f"draw_group:{group.name}")
    db.session.delete(group)
    db.session.flush()
    db.session.expire(meeting, ["groups"])


# -- the draw --------------------------------------------------------------------------------------


def _lock(meeting: Meeting) -> Meeting:
    """The meeting row, locked for this transaction (PostgreSQL: SELECT … FOR UPDATE) and re-read."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    db.session.expire(meeting)
    return meeting


def current_draw(meeting: Meeting) -> Draw | None:
    return db.session.get(Draw, meeting.current_draw_id) if meeting.current_draw_id else None


def draws_of(meeting: Meeting) -> list[Draw]:
    return list(db.session.scalars(select(Draw).where(Draw.meeting_id == meeting.id).order_by(Draw.number)))


def start_draw(user: Any, meeting: Meeting, multiplier: str, reason: str | None = None,
               seed: str | None = None) -> Draw:
    """开始抽选 (or, with a reason, 重新抽选): snapshot the pool, draw, store everything needed to replay
    it, replace the meeting's drawn experts, log it. The seed is random; only the demo data passes one
    (seed/title_meetings.py, so that its README can name the drawn experts) — no screen does."""
    meeting = _lock(meeting)
    _require_drawing(meeting)
    multiplier = str(multiplier or "").strip()
    if multiplier not in MULTIPLIERS:
        raise TitleError(_("抽选倍数只能是1.5倍、2倍或3倍"))
    reason = (reason or "").strip() or None
    if reason and len(reason) > 500:
        raise TitleError(_("重新抽选原因不能超过500个字"))
    last = db.session.scalar(select(func.max(Draw.number)).where(Draw.meeting_id == meeting.id)) or 0
    if last and not reason:
        raise TitleError(_("本会议已完成第%(n)d次抽选；重新抽选须填写原因", n=last))
    if not meeting.groups:
        raise TitleError(_("请先新增抽选小组"))
    rules = dict(RULES)
    seed = seed or secrets.token_hex(16)
    with gc_paused():  # many live objects without cycles (the candidates): no collector passes over them
        pool = build_pool(meeting)
        result = compute_draw(pool, rules, multiplier, seed)
    now = dt.datetime.now(dt.UTC)
    draw = Draw(meeting_id=meeting.id, number=last + 1, seed=seed, multiplier=multiplier, rules=rules, pool=pool,
                result=result, result_digest=digest(result), reason=reason if last else None, created_at=now,
                created_by=getattr(user, "id", None))
    db.session.add(draw)
    db.session.execute(delete(MeetingExpert).where(MeetingExpert.meeting_id == meeting.id))
    db.session.flush()
    db.session.execute(insert(MeetingExpert), [
        {"meeting_id": meeting.id, "draw_id": draw.id, "group_id": r["group"], "expert_id": r["expert"],
         "draw_order": r["order"], "chair": r["chair"], "reserve": r["reserve"], "executive_chair": False,
         "attendance": "pending"} for r in result])
    previous = meeting.current_draw_id
    meeting.current_draw_id = draw.id
    meeting.multiplier = multiplier
    db.session.expire(meeting, ["experts"])
    audit.record("redraw" if last else "draw", draw, user=user, changes={
        "number": draw.number, "seed": seed, "multiplier": multiplier, "digest": draw.result_digest,
        "pool_digest": digest(pool), "rules_digest": digest(rules), "drawn": len(result),
        "candidates": sum(len(g["ids"]) for g in pool["groups"]), "previous_draw": previous,
        "reason": draw.reason, "rules": rules},
        object_repr=f"{meeting!r}·{_('第%(n)d次抽选', n=draw.number)}")
    return draw


def logged_draw(draw: Draw) -> dict[str, Any] | None:
    """What the audit log recorded when ``draw`` was made (seed, multiplier, digests), or None."""
    from models.core.audit import AuditLog

    text = db.session.scalar(select(AuditLog.changes).where(
        AuditLog.action.in_(("draw", "redraw")), AuditLog.object_type == Draw.__tablename__,
        AuditLog.object_id == str(draw.id)).order_by(AuditLog.id).limit(1))
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def replay(draw: Draw) -> list[dict]:
    """重放抽选: the list recomputed from the stored pool, rules, multiplier and seed."""
    return compute_draw(draw.pool, draw.rules, draw.multiplier, draw.seed)


def verify(user: Any, draw: Draw) -> dict[str, Any]:
    """重放抽选 with its verdict: the replayed list, whether it equals the stored one (and the stored
    digest), the differences, and the rules checked on the stored pool; logged in the audit."""
    try:
        again = replay(draw)
        error = None
    except DrawError as e:
        again, error = [], str(e)
    stored = list(draw.result or [])
    differences = []
    for i in range(max(len(again), len(stored))):
        a = stored[i] if i < len(stored) else None
        b = again[i] if i < len(again) else None
        if a != b:
            differences.append({"position": i + 1, "stored": a, "replayed": b})
    logged = logged_draw(draw)
    digest_ok = digest(stored) == draw.result_digest
    if logged is not None:  # the row against what the audit log recorded when the draw was made
        digest_ok = digest_ok and logged.get("digest") == draw.result_digest \
            and logged.get("pool_digest") == digest(draw.pool) and logged.get("seed") == draw.seed \
            and logged.get("multiplier") == draw.multiplier and logged.get("rules_digest") == digest(draw.rules)
    out = {"identical": not differences and error is None, "differences": differences, "error": error,
           "digest_ok": digest_ok, "logged": logged is not None, "replayed": again,
           "problems": check_rules(draw.pool, draw.rules, draw.multiplier, stored)}
    audit.record("draw_replay", draw, user=user, result="ok" if out["identical"] and out["digest_ok"] else "fail",
                 changes={"number": draw.number, "identical": out["identical"], "digest_ok": out["digest_ok"],
                          "differences": len(differences), "problems": len(out["problems"])})
    return out


# -- attendance ------------------------------------------------------------------------------------


def _experts_of(meeting: Meeting, ids: Iterable[Any]) -> list[MeetingExpert]:
    """The meeting's drawn experts of ``ids`` (MeetingExpert ids); a forged id is refused."""
    try:
        wanted = {int(i) for i in ids if str(i).strip()}
    except (TypeError, ValueError):
        raise TitleError(_("所选专家不属于本次评审会议")) from None
    if not wanted:
        raise TitleError(_("请选择专家"))
    rows = list(db.session.scalars(select(MeetingExpert).where(MeetingExpert.meeting_id == meeting.id,
                                                               MeetingExpert.id.in_(wanted))))
    if len(rows) != len(wanted):
        raise TitleError(_("所选专家不属于本次评审会议"))
    return sorted(rows, key=lambda r: r.draw_order)


def set_attendance(user: Any, meeting: Meeting, ids: Iterable[Any], state: str) -> list[MeetingExpert]:
    """确认参评 / 取消参评 (batch). A reserve is confirmed only after replacing a cancelled member."""
    _require_drawing(meeting)
    if state not in ("confirmed", "cancelled"):
        raise TitleError(_("出席状态不正确"))
    rows = _experts_of(meeting, ids)
    if state == "confirmed":
        reserves = [r for r in rows if r.reserve]
        if reserves:
            raise TitleError(_("“%(n)s”是候补专家，须替补取消参评的专家后才能确认参评", n=reserves[0].expert.name))
    replaced = {r.replaces_id for r in meeting.experts if r.replaces_id}
    done = [r for r in rows if r.id in replaced]
    if done:
        raise TitleError(_("“%(n)s”已由候补专家替补，不能再改变出席状态", n=done[0].expert.name))
    now = dt.datetime.now(dt.UTC)
    for r in rows:
        r.attendance, r.attendance_at, r.attendance_by = state, now, getattr(user, "id", None)
        if state == "cancelled":
            r.executive_chair = False
    audit.record("draw_attendance", meeting, user=user,
                 changes={"state": state, "experts": [r.expert_id for r in rows]})
    return rows


def replace_from_reserve(user: Any, meeting: Meeting, meeting_expert_id: Any) -> MeetingExpert:
    """替补: the group's next pending reserve (draw order) becomes a member in place of a cancelled one."""
    _require_drawing(meeting)
    (gone,) = _experts_of(meeting, [meeting_expert_id])
    if gone.reserve or gone.attendance != "cancelled":
        raise TitleError(_("只能为已取消参评的正式专家替补"))
    if any(r.replaces_id == gone.id for r in meeting.experts):
        raise TitleError(_("“%(n)s”已由候补专家替补", n=gone.expert.name))
    nxt = next((r for r in meeting.experts if r.reserve and r.group_id == gone.group_id
                and r.attendance == "pending"), None)
    if nxt is None:
        raise TitleError(_("“%(g)s”组已无可替补的候补专家", g=gone.group.name if gone.group else ""))
    nxt.reserve, nxt.replaces_id = False, gone.id
    audit.record("draw_replace", meeting, user=user,
                 changes={"cancelled": gone.expert_id, "replacement": nxt.expert_id, "draw_order": nxt.draw_order})
    return nxt


def set_executive_chair(user: Any, meeting: Meeting, meeting_expert_id: Any) -> MeetingExpert:
    """设置执行主任: one confirmed chair of the draw."""
    _require_drawing(meeting)
    (chosen,) = _experts_of(meeting, [meeting_expert_id])
    if not chosen.chair or chosen.reserve or chosen.attendance != "confirmed":
        raise TitleError(_("执行主任须是确认参评的主任委员"))
    for r in meeting.experts:
        r.executive_chair = r.id == chosen.id
    audit.record("draw_executive_chair", meeting, user=user, changes={"expert": chosen.expert_id})
    return chosen


def attendance_summary(meeting: Meeting) -> list[dict[str, Any]]:
    """Per group: count, confirmed members, pending members, available reserves."""
    out = []
    for g in meeting.groups:
        rows = [r for r in meeting.experts if r.group_id == g.id]
        members = [r for r in rows if not r.reserve]
        out.append({"group": g, "count": g.count,
                    "confirmed": sum(1 for r in members if r.attendance == "confirmed"),
                    "pending": sum(1 for r in members if r.attendance == "pending"),
                    "reserves": sum(1 for r in rows if r.reserve and r.attendance == "pending")})
    return out


def finish_attendance(user: Any, meeting: Meeting) -> Meeting:
    """完成确认: every group's confirmed members == its count, at least one confirmed chair, the
    执行主任 chosen when several; the meeting moves to 专家分组 (normal meeting with groups) or 人员分配."""
    meeting = _lock(meeting)
    _require_drawing(meeting)
    draw = current_draw(meeting)
    if draw is None:
        raise TitleError(_("尚未抽选专家"))
    drawn_groups = [(g["id"], g["major"], g["level"], int(g["count"])) for g in draw.pool["groups"]]
    if drawn_groups != [(g.id, g.major, g.title_level, int(g.count)) for g in meeting.groups]:
        raise TitleError(_("抽选小组在本次抽选后已修改，请重新抽选"))
    confirmed = [r for r in meeting.experts if not r.reserve and r.attendance == "confirmed"]
    if not confirmed:
        raise TitleError(_("尚无确认参评的专家"))
    short = [_("“%(g)s”组需%(c)d人，已确认%(n)d人", g=s["group"].name, c=s["count"], n=s["confirmed"])
             for s in attendance_summary(meeting) if s["confirmed"] != s["count"]]
    if short:
        raise TitleError(_("确认参评人数不足：%(s)s；请确认、替补或重新抽选", s="；".join(short)))
    chairs = [r for r in confirmed if r.chair]
    if not chairs:
        raise TitleError(_("确认参评的专家中没有主任委员（规则《1》）；请替补或重新抽选"))
    if len(chairs) == 1:
        for r in meeting.experts:
            r.executive_chair = r.id == chairs[0].id
    elif sum(1 for r in chairs if r.executive_chair) != 1:
        raise TitleError(_("确认参评的主任委员有%(n)d人，请设置本年度执行主任", n=len(chairs)))
    activity = meeting.activity
    old = meeting.state
    meeting.state = "grouping" if meeting.kind == "normal" and activity.groups else "assigning"
    audit.record("draw_finish", meeting, user=user, changes={"state": [old, meeting.state],
                                                                    "confirmed": len(confirmed)})
    return meeting
