"""The entry page: a department's comment, assessment and indicator outcomes on a commitment."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from commitments.history import text_diff
from commitments.selectors import period_get_for_user
from commitments.services import progress_entry_save
from commitments.workflow import Conflict, Locked

from .forms import EntryForm, OutcomeForm
from .selectors import EntryPage, entry_history_get, entry_page_get
from .services import OUTCOME_NUMBER_FIELDS, outcome_save


def entry_initial(page: EntryPage) -> dict:
    return {"comment": page.entry.comment, "assessment": page.entry.assessment_id, "version": page.entry.version}


def shown(value):
    """Return a stored figure as people write it: 18, not 18,0000; 36,1, not 36,1000."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value.normalize()
    return value


def outcome_initial(outcome) -> dict:
    initial = {name: shown(getattr(outcome, name)) for name in OUTCOME_NUMBER_FIELDS}
    return initial | {
        "comment": outcome.comment,
        "assessment": outcome.assessment_id,
        "assessment_motivation": outcome.assessment_motivation,
        "version": outcome.version,
    }


def entry_page_from_url(request, kwargs) -> EntryPage:
    """Return the entry page named by the URL, or raise Http404 (see ``entry_page_get``)."""
    user = request.user
    period = period_get_for_user(user=user, committee_slug=kwargs["committee"], period_slug=kwargs["period"])
    return entry_page_get(
        user=user, period=period, commitment_code=kwargs["commitment"], department_code=kwargs["department"]
    )


class EntryView(LoginRequiredMixin, View):
    template_name = "indicators/entry.html"

    def forms(self, page: EntryPage, data=None):
        entry_form = EntryForm(data, initial=entry_initial(page), scale_values=page.scale_values)
        outcome_forms = [
            OutcomeForm(
                data, initial=outcome_initial(line.outcome), indicator=line.indicator, scale_values=page.scale_values
            )
            for line in page.lines
        ]
        return entry_form, outcome_forms

    def render(self, request, page, entry_form, outcome_forms, *, conflict=None, status=200):
        media = entry_form.fields["comment"].widget.media.with_nonce(request.csp_nonce)
        context = {
            "page": page,
            "committee": page.period.plan.committee,
            "entry_form": entry_form,
            "lines": list(zip(page.lines, outcome_forms, strict=True)),
            "editor_media": media,
            "conflict": conflict,
        }
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        page = entry_page_from_url(request, kwargs)
        return self.render(request, page, *self.forms(page))

    def post(self, request, **kwargs):
        page = entry_page_from_url(request, kwargs)
        if not page.can_edit:
            raise PermissionDenied
        entry_form, outcome_forms = self.forms(page, request.POST)
        self.current_form = entry_form
        if not entry_form.is_valid() or not all(f.is_valid() for f in outcome_forms):
            return self.render(request, page, entry_form, outcome_forms, status=400)
        try:
            with transaction.atomic():
                self.save(request, page, entry_form, outcome_forms)
        except ValidationError as e:
            self.add_errors(e, entry_form, outcome_forms)
            return self.render(request, page, entry_form, outcome_forms, status=400)
        except Conflict as e:
            return self.conflict(request, page, entry_form, outcome_forms, e.current)
        except Locked as e:
            messages.error(request, str(e))
            return redirect(request.path)
        messages.success(request, _("Your draft is saved."))
        return redirect(request.path)

    def save(self, request, page, entry_form, outcome_forms):
        """Save what changed: the entry, then each outcome, all or nothing."""
        user = request.user
        if entry_form.has_changed() or (page.entry.pk is None and entry_form.cleaned_data["comment"]):
            self.current_form = entry_form
            progress_entry_save(
                entry=page.entry,
                user=user,
                comment=entry_form.cleaned_data["comment"],
                assessment=entry_form.cleaned_data["assessment"],
                expected_version=entry_form.cleaned_data["version"],
            )
        for line, form in zip(page.lines, outcome_forms, strict=True):
            if form.has_changed():
                self.current_form = form
                data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
                outcome_save(outcome=line.outcome, user=user, data=data, expected_version=form.cleaned_data["version"])

    def add_errors(self, error: ValidationError, entry_form, outcome_forms):
        form = self.current_form
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)

    def conflict(self, request, page, entry_form, outcome_forms, current):
        """Show what was saved meanwhile beside what the user wrote; their text stays in the form."""
        form = self.current_form
        data = request.POST.copy()
        data[form.add_prefix("version")] = current.version
        entry_form, outcome_forms = self.forms(page, data)
        entry_form.is_valid()
        for f in outcome_forms:
            f.is_valid()
        mine = form.cleaned_data.get("comment", "")
        conflict = {
            "current": current,
            "is_entry": form.prefix is None,
            "indicator": getattr(form, "indicator", None),
            "theirs_html": current.comment,
            "mine_diff": text_diff(current.comment, mine),
        }
        return self.render(request, page, entry_form, outcome_forms, conflict=conflict, status=409)


class EntryHistoryView(LoginRequiredMixin, View):
    """Every saved version of the entry and its outcomes, with a diff between any two."""

    def get(self, request, **kwargs):
        period = period_get_for_user(
            user=request.user, committee_slug=kwargs["committee"], period_slug=kwargs["period"]
        )
        page = entry_page_get(
            user=request.user,
            period=period,
            commitment_code=kwargs["commitment"],
            department_code=kwargs["department"],
        )
        history = entry_history_get(page=page, a=request.GET.get("a"), b=request.GET.get("b"))
        context = {"page": page, "committee": period.plan.committee, "history": history}
        return TemplateResponse(request, "indicators/entry_history.html", context)


entry_view = EntryView.as_view()
entry_history_view = EntryHistoryView.as_view()
