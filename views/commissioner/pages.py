"""The applicant's own pages, one shape for both matters of the line: the individual commissioner
(个人申请表, 个人服务协议) and the team leader (团队申请表, 团队服务协议).

A view mixes in :class:`ApplicantPagesMixin` and declares what differs — the matter and its
service module (both modules name their functions alike: ``save_application``, ``approved``,
``agreement_of``, ``save_agreement``, ``agreement_pdf``), the application template, titles, the
agreement's attachment owner and file name, and the page's own context — and gets the four
routes: ``/application`` (saved with every problem shown beside its field), ``/application/submit``
(submit or withdraw on the engine), ``/agreement`` and ``/agreement/pdf``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.services.core import attachments
from app.workflow import act, allowed_actions, review_of
from models.core.workflow import STATES
from views.review import ACTION_LABELS
from views.writes import save_then_redirect, write


class ApplicantPagesMixin:
    """申请表 and 服务协议 of the signed-in applicant (see the module's docstring)."""

    service: Any  # app.services.commissioner.individual or .team
    application_template: str
    application_title: Any
    agreement_title: Any
    agreement_owner: str  # the attachment owner code of the agreement's stamped scans
    agreement_file: str  # the agreement PDF's file name prefix: 个人服务协议 / 团队服务协议

    def application_record(self) -> Any:
        raise NotImplementedError

    def application_context(self, rec: Any) -> dict[str, Any]:
        """What the page shows besides the form (the profile, the team…)."""
        return {}

    def agreement_name(self, rec: Any) -> str:
        raise NotImplementedError

    def _endpoint(self, method: str) -> str:
        return f"{type(self).__name__}.{method}"

    @expose("/application", methods=["GET", "POST"])
    @has_access
    def application(self) -> Any:
        errors: dict[str, str] = {}
        if request.method == "POST":
            done = save_then_redirect(lambda: self.service.save_application(g.user, request.form),
                                      _("申请表已保存；确认无误后请点击“提交审核”"), self._endpoint("application"), errors)
            if done is not None:
                return done
        rec = self.application_record()
        matter = self.service.MATTER
        review = review_of(matter.code, rec.id) if rec is not None else None
        values = request.form if request.method == "POST" else (
            {**{k: getattr(rec, k) for k, _label in self.service.APPLICATION_FIELDS},
             "intended_city": rec.intended_city_id} if rec else {})
        from app.services.commissioner import individual

        return self.render_template(  # type: ignore[attr-defined]
            self.application_template, values=values, errors=errors, fields=self.service.APPLICATION_FIELDS,
            cities=individual.cities(), rec=rec, review=review, states=STATES,
            labels={**ACTION_LABELS, **matter.labels}, editable=rec is None or rec.editable,
            can_withdraw=rec is not None and "withdraw" in allowed_actions(matter, review, g.user),
            submit_endpoint=self._endpoint("submit"), title=str(self.application_title),
            **self.application_context(rec))

    @expose("/application/submit", methods=["POST"])
    @has_access
    def submit(self) -> Any:
        rec = self.application_record()
        if rec is None:
            flash(_("请先填写并保存申请表"), "warning")
            return redirect(url_for(self._endpoint("application")))
        action = "withdraw" if request.form.get("action") == "withdraw" else "submit"
        ok = _("已撤回，可修改后重新提交") if action == "withdraw" else _("已提交审核")
        write(lambda: act(self.service.MATTER, rec, g.user, action), ok, errors={})  # the problems' summary
        return redirect(url_for(self._endpoint("application")))

    @expose("/agreement", methods=["GET", "POST"])
    @has_access
    def agreement(self) -> Any:
        team_mode = self.service.MATTER.code != "commissioner.individual"
        if self.service.approved(g.user) is None:
            return self.render_template("commissioner/agreement.html", locked=True,  # type: ignore[attr-defined]
                                        team_mode=team_mode, title=str(self.agreement_title))
        errors: dict[str, str] = {}
        if request.method == "POST":
            done = save_then_redirect(lambda: self.service.save_agreement(g.user, request.form),
                                      _("服务协议已保存，可下载打印"), self._endpoint("agreement"), errors)
            if done is not None:
                return done
        rec = self.service.agreement_of(g.user)
        values = request.form if request.method == "POST" else (
            {k: getattr(rec, k) for k, _label in self.service.AGREEMENT_FIELDS} if rec else {})
        return self.render_template(  # type: ignore[attr-defined]
            "commissioner/agreement.html", locked=False, team_mode=team_mode, values=values, errors=errors,
            fields=self.service.AGREEMENT_FIELDS, rec=rec, owner=attachments.OWNERS[self.agreement_owner],
            files=attachments.current(rec) if rec else [], pdf_endpoint=self._endpoint("agreement_pdf"),
            title=str(self.agreement_title))

    @expose("/agreement/pdf")
    @has_access
    def agreement_pdf(self) -> Any:
        rec = self.service.agreement_of(g.user)
        if rec is None:
            abort(404)
        body = self.service.agreement_pdf(rec)
        name = quote(f"{self.agreement_file}_{self.agreement_name(rec)}.pdf")
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f"attachment; filename=agreement.pdf; filename*=UTF-8''{name}"})
