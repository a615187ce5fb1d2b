"""
The committee's documents in the app: the approved follow-up as web pages; for reviewers and
committee admins, the builds (start one, watch it, download its files, see what changed);
for committee admins, the introduction of a report and the adoption of an edition; for
anyone, without logging in, the adopted editions and their open data.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commitments.models import Committee
from commitments.permissions import can_oversee, is_committee_admin
from commitments.selectors import period_get_for_user
from common.files import stored_file_response
from kolada.selectors import kolada_linked, latest_fetch

from . import layouts
from .adoption import report_adopt
from .assembly import report_document
from .diff import build_changes
from .forms import AdoptForm, IntroductionForm
from .models import AdoptedEdition, ReportBuild, ReportDefinition, ReportFormat, ReportKind
from .selectors import (
    FIGURE_COLUMNS,
    adopted_edition,
    adopted_editions_for_committee,
    build_before,
    builds_for_period,
    current_build,
    public_edition,
    report_has_introduction,
    report_kinds_for,
)
from .services import build_request, report_definition_save

KIND = ReportKind.FOLLOW_UP


class ReportView(LoginRequiredMixin, TemplateView):
    """
    A report of the period as web pages, with approved content only: the contents, or one
    chapter (``section`` = its place, from 1). ``?kind=`` names the report; by default the
    first kind the period's plan has content for (the follow-up of commitments, the årsanalys).
    """

    template_name = "reports/report_page.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = period_get_for_user(user=user, committee_slug=kwargs["committee"], period_slug=kwargs["period"])
        kinds = report_kinds_for(period) or [KIND]
        kind = self.request.GET.get("kind") or kinds[0]
        if kind not in kinds:
            raise Http404
        document = report_document(period=period, kind=kind)
        names = layouts.report_names(plan=period.plan)
        # Chapters are addressed by their place (1, 2, …): a template may leave some unnumbered.
        place = kwargs.get("section")
        section = None
        if place is not None:
            if not 1 <= place <= len(document.sections):
                raise Http404
            section = document.sections[place - 1]
        context.update(
            document=document,
            kind=kind,
            other_kinds=[(k, names[k]) for k in kinds if k != kind],
            section=section,
            committee=period.plan.committee,
            period=period,
            previous=place - 1 if section and place > 1 else None,
            next=(place or 0) + 1 if (place or 0) < len(document.sections) else None,
            current=None if section else current_build(period=period, kind=kind),
            formats=ReportFormat.choices,
            follows_builds=can_oversee(user, period.plan.committee_id),
        )
        return context


def _period_for_builds(request, kwargs):
    period = period_get_for_user(user=request.user, committee_slug=kwargs["committee"], period_slug=kwargs["period"])
    if not can_oversee(request.user, period.plan.committee_id):
        raise PermissionDenied
    return period


def _build(period, kwargs) -> ReportBuild:
    return get_object_or_404(ReportBuild.objects.defer("content"), period=period, pk=kwargs["build"])


class BuildsView(LoginRequiredMixin, View):
    """The period's reports: each kind's current build, the builds under way with their progress, the latest."""

    def get(self, request, **kwargs):
        period = _period_for_builds(request, kwargs)
        reports = []
        names = layouts.report_names(plan=period.plan)
        for kind in report_kinds_for(period):
            current = current_build(period=period, kind=kind)
            edition = adopted_edition(period=period, kind=kind)
            reports.append({
                "kind": kind, "label": names[kind], "current": current, "edition": edition,
                # A later build than the adopted one: what changed since is worth a look.
                "changed_since": edition is not None and current is not None and current.pk != edition.build_id,
                "adopt_form": AdoptForm(auto_id=f"id_{kind}_%s", committee=period.plan.committee),
                "has_introduction": report_has_introduction(plan=period.plan, kind=kind),
            })  # fmt: skip
        builds = builds_for_period(period=period)
        for build in builds:
            build.report_name = names[build.kind]
        return TemplateResponse(
            request,
            "reports/builds.html",
            {
                "committee": period.plan.committee,
                "period": period,
                "reports": reports,
                "builds": builds,
                "can_build": is_committee_admin(request.user, period.plan.committee_id),
                "formats": ReportFormat.choices,
                "edition_formats": AdoptedEdition.FORMATS,
                # The outcomes fetched at night: a failure is shown here, never silent.
                "kolada_linked": kolada_linked(period.plan),
                "kolada_fetch": latest_fetch(period.plan.committee),
            },
        )

    def post(self, request, **kwargs):
        """A committee admin starts a build: the approved document, or a draft with everything written."""
        period = _period_for_builds(request, kwargs)
        if not is_committee_admin(request.user, period.plan.committee_id):
            raise PermissionDenied
        kind = request.POST.get("kind")
        if kind not in ReportKind.values:
            messages.error(request, _("Unknown kind of report."))
        else:
            draft = request.POST.get("draft") == "1"
            build = build_request(
                period=period, kind=kind, draft=draft, trigger=ReportBuild.Trigger.MANUAL, user=request.user
            )
            messages.success(request, _("Build %(number)s is under way.") % {"number": build.pk})
        return redirect("reports:builds", committee=kwargs["committee"], period=kwargs["period"])


class BuildStatusView(LoginRequiredMixin, View):
    """One build's progress, as the fragment htmx swaps in every second; 286 stops the polling."""

    def get(self, request, **kwargs):
        period = _period_for_builds(request, kwargs)
        build = _build(period, kwargs)
        if not request.htmx:
            return redirect("reports:builds", committee=kwargs["committee"], period=kwargs["period"])
        context = {
            "build": build,
            "committee": period.plan.committee,
            "period": period,
            "formats": ReportFormat.choices,
        }
        return TemplateResponse(
            request, "reports/_build_progress.html", context, status=200 if build.is_active else 286
        )


class BuildFileView(LoginRequiredMixin, View):
    """A build's file: approved builds for the committee's members, drafts for reviewers and admins."""

    def get(self, request, **kwargs):
        period = period_get_for_user(
            user=request.user, committee_slug=kwargs["committee"], period_slug=kwargs["period"]
        )
        build = _build(period, kwargs)
        if kwargs["fmt"] not in ReportFormat.values or build.status != ReportBuild.Status.DONE:
            raise Http404
        # Every member of the committee reads its approved documents (period_get_for_user checked that).
        if build.draft and not can_oversee(request.user, period.plan.committee_id):
            raise PermissionDenied
        return stored_file_response(build.file_for(kwargs["fmt"]), as_attachment=True)


class BuildChangesView(LoginRequiredMixin, TemplateView):
    """What a build changed since the approved build before it: entries, assessments, figures."""

    template_name = "reports/build_changes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = _period_for_builds(self.request, kwargs)
        build = get_object_or_404(
            ReportBuild, period=period, pk=kwargs["build"], status=ReportBuild.Status.DONE, draft=False
        )
        previous = build_before(build)
        context.update(
            committee=period.plan.committee,
            period=period,
            build=build,
            previous=previous,
            changes=build_changes(previous.content if previous else None, build.content),
        )
        return context


class CommitteeAdminPeriodView(LoginRequiredMixin, View):
    """
    A page of a period for the committee's admins only: ``self.period`` is set (others get
    403), then ``prepare`` reads what the page is about before GET or POST runs.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.period = period_get_for_user(
            user=request.user, committee_slug=kwargs["committee"], period_slug=kwargs["period"]
        )
        if not is_committee_admin(request.user, self.period.plan.committee_id):
            raise PermissionDenied
        self.prepare(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def prepare(self, request, **kwargs) -> None:
        """Read what the page is about (raise Http404 if there is no such thing)."""


class IntroductionView(CommitteeAdminPeriodView):
    """The committee admin writes what a report says of itself: chapter 1, the occasion line, the contents list."""

    def prepare(self, request, **kwargs) -> None:
        self.kind = request.GET.get("kind", KIND)
        if self.kind not in ReportKind.values:
            raise Http404
        self.definition = ReportDefinition.objects.filter(
            period=self.period, kind=self.kind
        ).first() or ReportDefinition(period=self.period, kind=self.kind)
        # Only a report with an introduction section is offered an introduction to write.
        self.has_introduction = report_has_introduction(plan=self.period.plan, kind=self.kind)

    def render(self, form, status=200):
        field = form.fields.get("introduction")
        context = {
            "form": form,
            "committee": self.period.plan.committee,
            "period": self.period,
            "kind_label": layouts.report_names(plan=self.period.plan)[self.kind],
            "has_introduction": self.has_introduction,
            "unsaved": self.request.method == "POST",
            "editor_media": field.widget.media.with_nonce(self.request.csp_nonce) if field else "",
        }
        return TemplateResponse(self.request, "reports/introduction.html", context, status=status)

    def get(self, request, **kwargs):
        definition = self.definition
        contents = {True: "yes", False: "no"}.get(definition.contents, "")
        initial = {"introduction": definition.introduction, "occasion": definition.occasion, "contents": contents}
        return self.render(IntroductionForm(initial=initial, introduction=self.has_introduction))

    def post(self, request, **kwargs):
        form = IntroductionForm(request.POST, introduction=self.has_introduction)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report_definition_save(
                    definition=self.definition, user=request.user, introduction=data.get("introduction"),
                    occasion=data["occasion"], contents=data["contents"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The report's texts are saved. They appear in the next build."))
                return redirect("reports:builds", committee=kwargs["committee"], period=kwargs["period"])
        return self.render(form, status=400)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class AdoptView(CommitteeAdminPeriodView):
    """
    A committee admin records that the committee adopted a report's current build: GET shows
    the build and the decision (date, §, diarienummer) to confirm, POST adopts. Nothing is
    adopted on GET. Outside the request's transaction: the edition's own transaction commits
    the row, or removes the files it wrote.
    """

    def prepare(self, request, **kwargs) -> None:
        self.kind = kwargs["kind"]
        if self.kind not in ReportKind.values:
            raise Http404

    def render(self, form, status=200):
        context = {
            "form": form,
            "committee": self.period.plan.committee,
            "period": self.period,
            "kind": self.kind,
            "kind_label": layouts.report_names(plan=self.period.plan)[self.kind],
            "current": current_build(period=self.period, kind=self.kind),
            "edition": adopted_edition(period=self.period, kind=self.kind),
        }
        return TemplateResponse(self.request, "reports/adopt.html", context, status=status)

    def get(self, request, **kwargs):
        committee = self.period.plan.committee
        form = AdoptForm(request.GET, committee=committee) if request.GET else AdoptForm(committee=committee)
        if form.is_bound:
            form.is_valid()  # shows what is wrong before the admin confirms
        return self.render(form)

    def post(self, request, **kwargs):
        form = AdoptForm(request.POST, committee=self.period.plan.committee)
        if form.is_valid():
            try:
                # The build the admin saw on this page: a build made since is not adopted unseen.
                seen = request.POST.get("build", "")
                edition = report_adopt(
                    user=request.user, period=self.period, kind=self.kind,
                    build_id=int(seen) if seen.isdigit() else None, **form.cleaned_data,
                )  # fmt: skip
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("The edition is adopted: %(decision)s.") % {"decision": edition.decision})
                return redirect("reports:builds", committee=kwargs["committee"], period=kwargs["period"])
        return self.render(form, status=400)


class EditionChangesView(LoginRequiredMixin, TemplateView):
    """What the current build changed since the adopted edition (for reviewers and committee admins)."""

    template_name = "reports/edition_changes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = _period_for_builds(self.request, kwargs)
        edition = get_object_or_404(AdoptedEdition, period=period, kind=kwargs["kind"])
        current = current_build(period=period, kind=edition.kind)
        current = ReportBuild.objects.get(pk=current.pk) if current is not None else None
        context.update(
            committee=period.plan.committee,
            period=period,
            edition=edition,
            report_name=layouts.report_names(plan=period.plan)[edition.kind],
            current=current,
            changes=build_changes(edition.content, current.content) if current else [],
        )
        return context


def _public_committee(slug: str) -> Committee:
    return get_object_or_404(Committee, slug=slug)


class PublicEditionsView(TemplateView):
    """The committee's adopted documents, for anyone (no login): each with its decision and its files."""

    template_name = "reports/public_editions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        committee = _public_committee(kwargs["committee"])
        context.update(
            committee=committee,
            editions=adopted_editions_for_committee(committee=committee),
            edition_formats=AdoptedEdition.FORMATS,
            columns=FIGURE_COLUMNS,
        )
        return context


class PublicEditionView(TemplateView):
    """One adopted edition, for anyone: its decision, its files with their SHA-256."""

    template_name = "reports/public_edition.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        edition = public_edition(committee_slug=kwargs["committee"], period_slug=kwargs["period"], kind=kwargs["kind"])
        context.update(
            edition=edition,
            committee=edition.period.plan.committee,
            period=edition.period,
            files=[(fmt, label, edition.sha256_for(fmt)) for fmt, label, _type in AdoptedEdition.FORMATS],
        )
        return context


class PublicEditionFileView(View):
    """
    A file of an adopted edition at its stable address, for anyone: the web page inline, the
    others as downloads, with the file's SHA-256 as its ETag (it never changes).
    """

    #: The stored web page is the document alone: it loads nothing and runs nothing. Its one
    #: stylesheet is inside it (so styles inline are allowed, nothing else), and it runs
    #: sandboxed, in an origin of its own, not the application's.
    HTML_POLICY = {
        "default-src": ["'none'"],
        "img-src": ["data:"],
        "style-src": ["'unsafe-inline'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
        "sandbox": [True],
    }

    def get(self, request, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in AdoptedEdition.CONTENT_TYPES:
            raise Http404
        if "edition" in kwargs:  # the permanent address
            edition = get_object_or_404(AdoptedEdition.objects.defer("content", "figures"), pk=kwargs["edition"])
        else:
            edition = public_edition(
                committee_slug=kwargs["committee"], period_slug=kwargs["period"], kind=kwargs["kind"]
            )
        file = edition.file_for(fmt)
        etag = f'"{edition.sha256_for(fmt)}"'
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            if not file or not file.storage.exists(file.name):
                raise Http404
            response = HttpResponseNotModified()
        else:
            response = stored_file_response(
                file, as_attachment=fmt != "html", content_type=AdoptedEdition.CONTENT_TYPES[fmt]
            )
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=86400"
        if fmt == "html":
            response._csp_config = self.HTML_POLICY  # the whole policy, none of the site's
        return response


report_view = ReportView.as_view()
builds_view = BuildsView.as_view()
build_status_view = BuildStatusView.as_view()
build_file_view = BuildFileView.as_view()
build_changes_view = BuildChangesView.as_view()
introduction_view = IntroductionView.as_view()
adopt_view = AdoptView.as_view()
edition_changes_view = EditionChangesView.as_view()
public_editions_view = PublicEditionsView.as_view()
public_edition_view = PublicEditionView.as_view()
public_edition_file_view = PublicEditionFileView.as_view()
