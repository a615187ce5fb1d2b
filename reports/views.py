"""
The committee's documents in the app: the approved follow-up as web pages; for reviewers and
committee admins, the builds (start one, watch it, download its files, see what changed);
for committee admins, the introduction of a report.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commitments.permissions import can_oversee, is_committee_admin
from commitments.selectors import period_get_for_user

from .assembly import report_document
from .diff import build_changes
from .forms import IntroductionForm
from .models import ReportBuild, ReportDefinition, ReportFormat, ReportKind
from .selectors import (
    build_before,
    builds_for_period,
    current_build,
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
            other_kinds=[(k, ReportKind(k).label) for k in kinds if k != kind],
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
        reports = [
            {"kind": kind, "label": ReportKind(kind).label, "current": current_build(period=period, kind=kind)}
            for kind in report_kinds_for(period)
        ]
        return TemplateResponse(
            request,
            "reports/builds.html",
            {
                "committee": period.plan.committee,
                "period": period,
                "reports": reports,
                "builds": builds_for_period(period=period),
                "can_build": is_committee_admin(request.user, period.plan.committee_id),
                "formats": ReportFormat.choices,
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
        file = build.file_for(kwargs["fmt"])
        if not file or not file.storage.exists(file.name):
            raise Http404
        return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])


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


class IntroductionView(LoginRequiredMixin, View):
    """The committee admin writes chapter 1 of the report."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.period = period_get_for_user(
            user=request.user, committee_slug=kwargs["committee"], period_slug=kwargs["period"]
        )
        if not is_committee_admin(request.user, self.period.plan.committee_id):
            raise PermissionDenied
        self.kind = request.GET.get("kind", KIND)
        if self.kind not in ReportKind.values:
            raise Http404
        self.definition = ReportDefinition.objects.filter(
            period=self.period, kind=self.kind
        ).first() or ReportDefinition(period=self.period, kind=self.kind)
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, status=200):
        context = {
            "form": form,
            "committee": self.period.plan.committee,
            "period": self.period,
            "kind_label": ReportKind(self.kind).label,
            "unsaved": self.request.method == "POST",
            "editor_media": form.fields["introduction"].widget.media.with_nonce(self.request.csp_nonce),
        }
        return TemplateResponse(self.request, "reports/introduction.html", context, status=status)

    def get(self, request, **kwargs):
        definition = self.definition
        contents = {True: "yes", False: "no"}.get(definition.contents, "")
        initial = {"introduction": definition.introduction, "occasion": definition.occasion, "contents": contents}
        return self.render(IntroductionForm(initial=initial))

    def post(self, request, **kwargs):
        form = IntroductionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report_definition_save(
                    definition=self.definition, user=request.user, introduction=data["introduction"],
                    occasion=data["occasion"], contents=data["contents"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The report's texts are saved. They appear in the next build."))
                return redirect("reports:builds", committee=kwargs["committee"], period=kwargs["period"])
        return self.render(form, status=400)


report_view = ReportView.as_view()
builds_view = BuildsView.as_view()
build_status_view = BuildStatusView.as_view()
build_file_view = BuildFileView.as_view()
build_changes_view = BuildChangesView.as_view()
introduction_view = IntroductionView.as_view()
