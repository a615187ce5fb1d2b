"""
The follow-up pages: a period's lists of what departments write, and the page of each row
(commitment entries with their outcomes, goal follow-ups, report texts), all through
``pages.FollowUpPageView`` and the one workflow.
"""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.functional import SimpleLazyObject
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from commitments.filters import CommitmentRowFilter, ContributionRowForm
from commitments.models import Goal, ProgressEntry
from commitments.permissions import (
    can_edit_department,
    can_oversee,
    can_review,
    editable_department_ids,
    is_committee_admin,
    readable_department_ids,
)
from commitments.selectors import (
    STATE_NAMES,
    attach_return_reasons,
    commitment_row_list,
    commitment_rows,
    committee_get_for_user,
    contribution_get_for_user,
    contribution_rows,
    period_get_for_user,
    status_counts,
    status_counts_of,
)
from commitments.services import (
    entry_message_post,
    goal_contribution_change,
    period_close,
    period_reopen,
    progress_entry_change,
)
from commitments.workflow import InvalidTransition, can_write
from common.search import MAX_QUERY_LENGTH, RESULTS_PER_KIND
from common.tabular import csv_bytes, xlsx_bytes
from indicators.forms import ContributionForm, EntryForm, OutcomeForm
from indicators.selectors import (
    EntryPage,
    OutcomeLine,
    contribution_lines,
    entry_page_get,
    outcome_scale_values,
    previous_approved_get,
    row_history_get,
)
from indicators.services import OUTCOME_NUMBER_FIELDS, OutcomeEdit, entries_approve, outcome_changes
from kolada.forms import posted_with_proposal
from kolada.selectors import attach_proposals
from reports.assembly.text import FACTS
from reports.forms import SectionTextForm
from reports.selectors import section_text_get_for_user, section_text_rows
from reports.services import section_text_change

from .charts import assessment_bars, bars_svg, status_bars
from .forms import SearchForm
from .pages import FollowUpPageView, shown
from .resources import RESOURCES_BY_PART, export_book, export_sheet
from .selectors import (
    LEFT_STATES,
    OVERVIEW_STATES,
    committee_search,
    followup_export,
    period_left_to_submit,
    period_overview,
)


def row_url(list_url: str, *codes: str) -> str:
    """
    The address of a row's page under its list's (``followup:entry`` is ``followup:list``
    followed by the commitment's and department's codes), quoted as ``reverse`` quotes them:
    a reverse per row cost a list of 150 rows some 10 ms.
    """
    return list_url + "".join(f"{quote(code, safe=RFC3986_SUBDELIMS + '~:@')}/" for code in codes)


def period_from_url(request, kwargs):
    return period_get_for_user(user=request.user, committee_slug=kwargs["committee"], period_slug=kwargs["period"])


def entry_page_from_url(request, kwargs) -> EntryPage:
    """Return the entry page named by the URL, or raise Http404 (see ``entry_page_get``)."""
    return entry_page_get(
        user=request.user,
        period=period_from_url(request, kwargs),
        commitment_code=kwargs["commitment"],
        department_code=kwargs["department"],
    )


class OutcomeLinesMixin:
    """
    The outcome parts of a page (``self.lines``, from ``outcome_lines``): a form per outcome
    the user may write, under the indicator's code, saved through ``outcome_changes``.
    """

    lines: list[OutcomeLine]

    def workflow_children(self, obj):
        # The outcomes that move with the row are the saved outcomes of the page's lines.
        return [line.outcome for line in self.lines if line.outcome.pk is not None]

    def attach_kolada(self) -> None:
        """Kolada's values beside the outcomes they propose (``line.kolada``), in one query."""
        if self.lines:
            attach_proposals(self.lines, self.lines[0].year)

    def outcome_forms(self, data, scale_values) -> dict:
        self.scale_values = scale_values  # the outcomes' changes are checked with them
        forms = {}
        for line in self.lines:
            # A posted page may hold the form of an outcome that was submitted or approved since
            # (with another page's row, or on its own): its input is kept and its save refused.
            posted = data is not None and f"o-{line.indicator.code}-version" in data
            if posted and line.kolada and data.get("kolada_use") == line.indicator.code:
                # "Använd värdet": Kolada's figures, saved as if typed.
                data = posted_with_proposal(
                    data, prefix=f"o-{line.indicator.code}", indicator=line.indicator, proposal=line.kolada.proposal
                )
            if line.writable or posted:
                outcome = line.outcome
                initial = {name: shown(getattr(outcome, name)) for name in OUTCOME_NUMBER_FIELDS} | {
                    "comment": outcome.comment,
                    "assessment": outcome.assessment_id,
                    "assessment_motivation": outcome.assessment_motivation,
                    "unavailable_reason": outcome.unavailable_reason,
                    "version": outcome.version,
                }
                form = OutcomeForm(data, initial=initial, indicator=line.indicator, scale_values=scale_values)
                # Read when the page shows them (not for a save that succeeds: it redirects).
                form.previous_values = SimpleLazyObject(partial(self.previous_values_of, form, line))
                forms[line.indicator.code] = form
        return forms

    def read_previous(self) -> None:
        """Read the period before, which sets the lines' ``previous``, if not read yet."""

    def previous_values_of(self, form, line) -> list:
        self.read_previous()
        return self.previous_values(form, line.previous)

    @staticmethod
    def previous_values(form, previous) -> list:
        """Return (field, the previous period's figure as the field writes it) for each figure it had."""
        if previous is None:
            return []
        return [
            (form[name], formats.localize_input(shown(getattr(previous, name))))
            for name in OUTCOME_NUMBER_FIELDS
            if name in form.fields and getattr(previous, name) is not None
        ]

    def outcome_saves(self, user, changed, row) -> list:
        """Return the changes of the page's outcomes, checked at once (``outcome_changes``) with what the page read."""
        edits, targets = [], {}
        for line in self.lines:
            form = changed.get(line.indicator.code)
            if form is not None:
                fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
                edits.append(OutcomeEdit(line.indicator.code, line.outcome, fields, form.cleaned_data["version"]))
                targets[line.indicator.pk] = line.target
        return outcome_changes(
            user=user, department=row.department, period=row.period, edits=edits, targets=targets,
            scale_values=self.scale_values,
        )  # fmt: skip

    def outcome_titles(self) -> dict[str, str]:
        return {line.indicator.code: line.indicator.name for line in self.lines}

    def lines_with_forms(self, forms_by_target) -> list:
        return [(line, forms_by_target.get(line.indicator.code)) for line in self.lines]


class EntryView(OutcomeLinesMixin, FollowUpPageView):
    """A department's comment and assessment on a commitment, with the outcomes of its indicators."""

    template_name = "followup/entry.html"
    context_object_name = "entry"

    def get_object(self, request, kwargs):
        self.page = entry_page_from_url(request, kwargs)
        self.lines = self.page.lines
        self.attach_kolada()
        return self.page.entry

    def read_previous(self):
        self.page.previous  # noqa: B018 -- a cached property that reads it

    def get_forms(self, entry, data=None):
        scale_values = self.page.scale_values
        initial = {"comment": entry.comment, "assessment": entry.assessment_id, "version": entry.version}
        return {"": EntryForm(data, initial=initial, scale_values=scale_values)} | self.outcome_forms(
            data, scale_values
        )

    def get_saves(self, entry, user, changed):
        saves = []
        if "" in changed:
            data = changed[""].cleaned_data
            saves.append(progress_entry_change(
                entry=entry, user=user, comment=data["comment"], assessment=data["assessment"],
                expected_version=data["version"],
            ))  # fmt: skip
        return saves + self.outcome_saves(user, changed, entry)

    def part_titles(self, entry):
        return {"": _("Comment and assessment")} | self.outcome_titles()

    def get_context_data(self, entry, forms_by_target):
        return {"page": self.page, "lines": self.lines_with_forms(forms_by_target), "previous": self.page.previous}


class ContributionView(OutcomeLinesMixin, FollowUpPageView):
    """
    A department's follow-up of a goal: its comment, the year's and the mandate period's
    assessments, and the outcomes of the goal's own indicators that it reports.
    """

    template_name = "followup/contribution.html"
    context_object_name = "contribution"

    def get_object(self, request, kwargs):
        period = period_from_url(request, kwargs)
        contribution = contribution_get_for_user(
            user=request.user, period=period, goal_code=kwargs["goal"], department_code=kwargs["department"]
        )
        self.lines = contribution_lines(user=request.user, contribution=contribution)
        self.attach_kolada()
        # Shown beside the fields, so only to those who have them.
        self.previous = (
            previous_approved_get(
                period=period, department=contribution.department, lines=self.lines, goal_code=contribution.goal.code
            )
            if can_edit_department(request.user, contribution.department)
            else None
        )
        return contribution

    def get_forms(self, contribution, data=None):
        plan = contribution.goal.plan
        values = lambda scale: list(scale.values.all()) if scale else []  # noqa: E731
        initial = {
            "comment": contribution.comment, "assessment": contribution.assessment,
            "assessment_sentence": contribution.assessment_sentence,
            "assessment_motivation": contribution.assessment_motivation,
            "mandate_assessment": contribution.mandate_assessment,
            "mandate_sentence": contribution.mandate_sentence,
            "mandate_motivation": contribution.mandate_motivation, "version": contribution.version,
        }  # fmt: skip
        # The standard sentences the document prints where the department writes none.
        standard = tuple(
            contribution_value.sentence_for(plan.year) if contribution_value else ""
            for contribution_value in (contribution.assessment, contribution.mandate_assessment)
        )
        form = ContributionForm(
            data,
            initial=initial,
            year_values=values(plan.goal_year_scale),
            mandate_values=values(plan.goal_mandate_scale),
            assessed=contribution.goal.level in Goal.GOAL_LEVELS,
            # The committee's own goal is followed up itself; the others through its contribution.
            contribution=contribution.goal.level != Goal.Level.COMMITTEE,
            standard_sentences=standard,
        )
        return {"": form} | self.outcome_forms(data, outcome_scale_values(plan))

    def get_saves(self, contribution, user, changed):
        saves = []
        if "" in changed:
            data = changed[""].cleaned_data
            saves.append(goal_contribution_change(
                contribution=contribution, user=user, comment=data["comment"],
                assessment=data.get("assessment"), assessment_motivation=data.get("assessment_motivation", ""),
                mandate_assessment=data.get("mandate_assessment"),
                mandate_motivation=data.get("mandate_motivation", ""),
                assessment_sentence=data.get("assessment_sentence", ""),
                mandate_sentence=data.get("mandate_sentence", ""), expected_version=data["version"],
            ))  # fmt: skip
        return saves + self.outcome_saves(user, changed, contribution)

    def part_titles(self, contribution):
        return {"": _("Follow-up of the goal")} | self.outcome_titles()

    def get_context_data(self, contribution, forms_by_target):
        return {
            "year": contribution.period.plan.year,
            "assessed": contribution.goal.level in Goal.GOAL_LEVELS,
            "of_contribution": contribution.goal.level != Goal.Level.COMMITTEE,
            "assessed_over_mandate": contribution.goal.plan.goal_mandate_scale_id is not None,
            "page": {"period": contribution.period},
            "lines": self.lines_with_forms(forms_by_target),
            "previous": self.previous,
        }


class SectionTextView(FollowUpPageView):
    """A department's text of a report section, written, submitted and reviewed as any entry."""

    template_name = "followup/section_text.html"
    context_object_name = "text"

    def get_object(self, request, kwargs):
        period = period_from_url(request, kwargs)
        return section_text_get_for_user(user=request.user, period=period, section_id=kwargs["section"])

    def get_forms(self, text, data=None):
        return {"": SectionTextForm(data, initial={"comment": text.comment, "version": text.version})}

    def get_saves(self, text, user, changed):
        if "" not in changed:
            return []
        data = changed[""].cleaned_data
        return [section_text_change(text=text, user=user, comment=data["comment"], expected_version=data["version"])]

    def get_context_data(self, text, forms_by_target):
        return {"section": text.section, "facts": FACTS.items()}


class CommitmentListView(LoginRequiredMixin, TemplateView):
    """“Mina åtaganden”: a period's commitments of the user's departments, with their entries' status."""

    template_name = "followup/commitment_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = period_from_url(self.request, kwargs)
        rows = commitment_rows(user=user, period=period)
        filterset = CommitmentRowFilter(
            self.request.GET or None,
            queryset=rows,
            period=period,
            departments=readable_department_ids(user, period.plan.committee),
        )
        shown_rows = attach_return_reasons(commitment_row_list(filterset.qs, period))
        editable = editable_department_ids(user)
        for row in shown_rows:
            # Asked only of the rows of a department the user writes for (a reviewer's list has none):
            # a row without an entry needs one made to ask.
            row.can_edit = row.department.pk in editable and can_write(
                user,
                row.entry or ProgressEntry(commitment_id=row.commitment.pk, period=period, department=row.department),
            )
            row.url = row_url(self.request.path, row.commitment.code, row.department.code)
        # Unfiltered, the rows shown are all the rows: counted without a query.
        counts = status_counts(rows) if filterset.is_bound else status_counts_of(shown_rows)
        context.update(
            period=period,
            committee=period.plan.committee,
            filterset=filterset,
            rows=shown_rows,
            counts=counts,
            left=sum(counts[state] for state in LEFT_STATES),
            open_for_entries=period.is_open_for_entries(),
            is_reviewer=can_review(user, period.plan.committee_id),
            is_committee_admin=is_committee_admin(user, period.plan.committee_id),
        )
        return context


#: The fill of each state in the overview's charts: each 3:1 or more against white (WCAG 1.4.11).
class PeriodOverviewView(LoginRequiredMixin, TemplateView):
    """
    Where the committee stands in a period: the rows the user reads (as on the lists), of each
    kind (entries on commitments, follow-ups of goals), counted by status per goal area and
    goal, and per department, and by assessment; each count a link to its kind's list of those
    rows, each chart with its table beside it. Open to everyone who reads the lists (editors
    and readers see their departments' rows, as there).
    """

    template_name = "followup/period_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = period_from_url(self.request, kwargs)
        overview = period_overview(user=self.request.user, period=period, data=self.request.GET)
        area_label = lambda line: str(line.subject) if line.subject else _("Without goal area")  # noqa: E731
        sections = [
            {
                "kind": kind,
                "area_chart": bars_svg(
                    status_bars(kind.areas, area_label, OVERVIEW_STATES),
                    title=_("Status per goal area"),
                    chart_id=f"{kind.prefix}chart-areas",
                ),
                "department_chart": bars_svg(
                    status_bars(kind.departments, lambda line: line.subject.name, OVERVIEW_STATES),
                    title=_("Status per department"),
                    chart_id=f"{kind.prefix}chart-departments",
                ),
                "assessment_chart": bars_svg(
                    assessment_bars(kind.assessments),
                    title=_("Assessments"),
                    chart_id=f"{kind.prefix}chart-assessments",
                ),
            }
            for kind in overview.kinds
        ]
        context.update(
            period=period,
            committee=period.plan.committee,
            overview=overview,
            form=overview.form,
            states=[(s, STATE_NAMES[s]) for s in OVERVIEW_STATES],
            sections=sections,
        )
        return context


class PeriodRowsView(LoginRequiredMixin, TemplateView):
    """A period's list of one kind of row, as its ``rows`` selector reads them for the user."""

    def rows(self, *, user, period):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = period_from_url(self.request, kwargs)
        context.update(
            committee=period.plan.committee, period=period, rows=self.rows(user=self.request.user, period=period)
        )
        return context


class ContributionListView(LoginRequiredMixin, TemplateView):
    """
    The goals the committee contributes to, per writing department the user reads, with their
    status; filtered by status and department (the start page links to the rows it counts).
    """

    template_name = "followup/contribution_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = period_from_url(self.request, kwargs)
        form = ContributionRowForm(self.request.GET or None, period=period)
        rows = form.filter(contribution_rows(user=self.request.user, period=period))
        context.update(committee=period.plan.committee, period=period, rows=rows, filter_form=form)
        return context


class SectionTextListView(PeriodRowsView):
    """The text sections of the period's reports that the user's departments write (all, for reviewers)."""

    template_name = "followup/section_text_list.html"
    rows = staticmethod(section_text_rows)


#: A ticked entry as the list posts it: its id and the version the reviewer read, in ASCII digits.
TICKED = re.compile(r"([0-9]{1,18}):([0-9]{1,9})")


def ticked_entries(values: list[str]) -> dict[int, int] | None:
    """
    Return the ticked entries of a list (id -> version read), or None when a value is not
    one the list sends: an id any database's integer holds, and a version.
    """
    seen = {}
    for value in values:
        match = TICKED.fullmatch(value)
        if match is None:
            return None
        seen[int(match[1])] = int(match[2])
    return seen


class BulkApproveView(LoginRequiredMixin, View):
    """A reviewer approves the entries ticked in the list, each as it was when the list was read."""

    def post(self, request, **kwargs):
        period = period_from_url(request, kwargs)
        if not can_review(request.user, period.plan.committee_id):
            raise PermissionDenied
        list_url = redirect("followup:list", committee=kwargs["committee"], period=kwargs["period"])
        seen = ticked_entries(request.POST.getlist("entry"))
        if seen is None:
            messages.error(request, _("The list that was sent could not be read; nothing was approved. Reload it."))
            return list_url
        result = entries_approve(user=request.user, period=period, seen=seen)
        approved, refused = result.approved, result.refused
        if approved:
            messages.success(
                request,
                ngettext("%(count)s entry approved.", "%(count)s entries approved.", len(approved))
                % {"count": len(approved)},
            )
        if refused:
            codes = ", ".join(f"{e.commitment.code} ({e.department.code})" for e in refused)
            messages.error(
                request,
                _("Not approved, since changed or no longer submitted after you read the list: %(codes)s.")
                % {"codes": codes},
            )
        if result.own_work:
            messages.error(request, result.own_work_message())
        if not seen:
            messages.error(request, _("Tick the entries to approve."))
        return list_url


class EntryMessageView(LoginRequiredMixin, View):
    """Post a message in the entry's thread (the department's editors and the reviewers)."""

    def post(self, request, **kwargs):
        page = entry_page_from_url(request, kwargs)
        if page.entry.pk is None or not (page.is_editor or page.is_reviewer):
            raise PermissionDenied
        try:
            entry_message_post(entry=page.entry, user=request.user, text=request.POST.get("text", ""))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Your message is posted."))
        return redirect("followup:entry", **kwargs)


def history_response(request, *, row, lines, code, list_url, list_name, versions_caption):
    """The history page of a row and the outcomes on its page: every saved version, with a diff between any two."""
    context = {
        "committee": row.period.plan.committee,
        "department": row.department,
        "period": row.period,
        "history": row_history_get(row=row, lines=lines, a=request.GET.get("a"), b=request.GET.get("b")),
        "code": code,
        "row_url": row.get_absolute_url(),
        "list_url": list_url,
        "list_name": list_name,
        "versions_caption": versions_caption,
    }
    return TemplateResponse(request, "followup/history.html", context)


class EntryHistoryView(LoginRequiredMixin, View):
    """Every saved version of the entry and its outcomes, with a diff between any two."""

    def get(self, request, **kwargs):
        page = entry_page_from_url(request, kwargs)
        period = page.period
        page.entry.period = period
        return history_response(
            request, row=page.entry, lines=page.lines, code=page.commitment.code,
            list_url=reverse("followup:list", args=[period.plan.committee.slug, period.slug]),
            list_name=_("Commitments %(name)s %(year)s") % {"name": period.name, "year": period.plan.year},
            versions_caption=_("Saved versions of the comment and assessment"),
        )  # fmt: skip


class ContributionHistoryView(LoginRequiredMixin, View):
    """Every saved version of a goal's follow-up and of the outcomes on its page, with a diff between any two."""

    def get(self, request, **kwargs):
        period = period_from_url(request, kwargs)
        contribution = contribution_get_for_user(
            user=request.user, period=period, goal_code=kwargs["goal"], department_code=kwargs["department"]
        )
        return history_response(
            request, row=contribution, lines=contribution_lines(user=request.user, contribution=contribution),
            code=contribution.goal.code,
            list_url=reverse("followup:contribution_list", args=[period.plan.committee.slug, period.slug]),
            list_name=_("Follow-up of goals %(name)s %(year)s") % {"name": period.name, "year": period.plan.year},
            versions_caption=_("Saved versions of the follow-up and its assessments"),
        )  # fmt: skip


class PeriodStatusView(LoginRequiredMixin, View):
    """
    A committee admin closes a period for entries, after a page that says how many rows are
    still not submitted and asks to confirm; or opens it again.
    """

    def period_for_admin(self, request, kwargs):
        self.period = period_from_url(request, kwargs)
        if not is_committee_admin(request.user, self.period.plan.committee_id):
            raise PermissionDenied

    def get(self, request, **kwargs):
        self.period_for_admin(request, kwargs)
        context = {
            "committee": self.period.plan.committee,
            "period": self.period,
            "left": period_left_to_submit(user=request.user, period=self.period),
        }
        return TemplateResponse(request, "followup/period_close.html", context)

    def post(self, request, **kwargs):
        self.period_for_admin(request, kwargs)
        action = request.POST.get("action")
        if action not in ("close", "reopen"):
            raise PermissionDenied
        try:
            if action == "close":
                period_close(period=self.period, user=request.user)
                messages.success(request, _("The period is closed: editors can no longer change anything."))
            else:
                period_reopen(period=self.period, user=request.user)
                messages.success(request, _("The period is open again."))
        except InvalidTransition as e:
            messages.error(request, str(e))
        return redirect("followup:list", committee=kwargs["committee"], period=kwargs["period"])


class FollowUpExportView(LoginRequiredMixin, View):
    """
    The period's follow-up as a file, chosen by the list's filters: the workbook (``xlsx``), or
    one sheet as CSV (``ataganden``, ``mal``, ``utfall``). For the committee's reviewers and
    admins, who oversee its whole work; departments' editors and readers follow their own
    rows on the pages and are refused (the export is the committee's picture, not theirs).
    """

    def get(self, request, **kwargs):
        period = period_from_url(request, kwargs)
        part = kwargs["part"]
        if part != "xlsx" and part not in RESOURCES_BY_PART:
            raise Http404
        if not can_oversee(request.user, period.plan.committee_id):
            raise PermissionDenied
        export = followup_export(user=request.user, period=period, data=request.GET)
        stem = f"uppfoljning-{period.plan.committee.slug}-{period.slug}"
        if part == "xlsx":
            response = HttpResponse(
                xlsx_bytes(export_book(export)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
            return response
        response = HttpResponse(csv_bytes(export_sheet(export, part)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}-{part}.csv"'
        return response


entry_view = EntryView.as_view()
contribution_view = ContributionView.as_view()
section_text_view = SectionTextView.as_view()
commitment_list_view = CommitmentListView.as_view()
contribution_list_view = ContributionListView.as_view()
section_text_list_view = SectionTextListView.as_view()
period_overview_view = PeriodOverviewView.as_view()
bulk_approve_view = BulkApproveView.as_view()
entry_message_view = EntryMessageView.as_view()
entry_history_view = EntryHistoryView.as_view()
contribution_history_view = ContributionHistoryView.as_view()
period_status_view = PeriodStatusView.as_view()
followup_export_view = FollowUpExportView.as_view()


class SearchView(LoginRequiredMixin, TemplateView):
    """
    The committee's search across its plans and follow-ups, for its members: commitments,
    goals, indicators, and the entries and goal follow-ups of the departments the user reads.
    """

    template_name = "followup/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        committee = committee_get_for_user(user=self.request.user, committee_slug=kwargs["committee"])
        form = SearchForm(self.request.GET if "q" in self.request.GET else None)
        groups = None
        if form.is_bound and form.is_valid():
            groups = committee_search(user=self.request.user, committee=committee, query=form.cleaned_data["q"])
        context.update(
            committee=committee,
            form=form,
            groups=groups,
            found=sum(len(group.hits) for group in groups or []),
            per_kind=RESULTS_PER_KIND,
            max_length=MAX_QUERY_LENGTH,
        )
        return context


search_view = SearchView.as_view()
