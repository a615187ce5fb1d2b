"""Filters of the department's list of commitments (django-filter)."""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AssessmentValue, Department, Event, EventType, Goal, GoalArea, ReportingPeriod, ReviewStatus
from .selectors import NOT_STARTED, CommitmentDepartment

#: The rows a department has still to write: not started, or a draft (the start page links to them).
TO_WRITE = "to_write"
TO_WRITE_STATUSES = (NOT_STARTED, ReviewStatus.DRAFT)
STATUS_CHOICES = [
    (TO_WRITE, _("to write (not started or draft)")),
    (NOT_STARTED, _("not started")),
    *ReviewStatus.choices,
]


def statuses_chosen(value: str) -> tuple[str, ...]:
    """The statuses the status filter's ``value`` chooses."""
    return TO_WRITE_STATUSES if value == TO_WRITE else (value,)


def filter_status(queryset, name, value):
    """Keep the rows in the status ``value``, or, for ``TO_WRITE``, in either status still to write."""
    return queryset.filter(**{f"{name}__in": statuses_chosen(value)})


class CommitmentRowFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    goal_area = django_filters.ModelChoiceFilter(
        label=_("Goal area"), field_name="commitment__goal__goal_area", queryset=GoalArea.objects.none()
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES, method="by_status")
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.none())
    goal = django_filters.ModelChoiceFilter(
        label=_("Goal"), field_name="commitment__goal", queryset=Goal.objects.none()
    )
    assessment = django_filters.ModelChoiceFilter(
        label=_("Assessment"), field_name="entry_assessment_id", queryset=AssessmentValue.objects.none(),
        method="by_assessment",
    )  # fmt: skip

    class Meta:
        model = CommitmentDepartment
        fields = ["q", "goal_area", "goal", "status", "assessment", "department"]

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["goal_area"].queryset = GoalArea.objects.filter(plan=period.plan)
        self.filters["goal"].queryset = Goal.objects.filter(plan=period.plan)
        scale = period.plan.commitment_scale_id
        self.filters["assessment"].queryset = AssessmentValue.objects.filter(scale_id=scale)
        self.filters["department"].queryset = Department.objects.filter(
            pk__in=self.queryset.values("department")
        ).order_by("sort_order", "name")

    def by_status(self, queryset, name, value):
        return filter_status(queryset, name, value)

    def by_assessment(self, queryset, name, value):
        return queryset.filter(entry_assessment_id=value.pk)

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(commitment__text__icontains=word)
                | Q(commitment__code__iexact=word)
                | Q(commitment__goal__text__icontains=word)
            )
        return queryset


class ContributionRowForm(forms.Form):
    """The filters of the list of goal follow-ups (rows of goal × department, not a queryset)."""

    # The empty choice reads as django-filter's do on the other lists ("Alla").
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", settings.FILTERS_EMPTY_CHOICE_LABEL), *STATUS_CHOICES], required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=settings.FILTERS_EMPTY_CHOICE_LABEL,
    )

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = (
            Department.objects.filter(
                committee_id=period.plan.committee_id, goals__plan=period.plan, goals__contributes=True
            )
            .distinct()
            .order_by("sort_order", "name")
        )

    def filter(self, rows: list[tuple]) -> list[tuple]:
        """Keep the rows (goal, department, contribution or None) that the valid filters choose."""
        if not self.is_valid():
            return rows
        status, department = self.cleaned_data["status"], self.cleaned_data["department"]
        return [
            (goal, dept, contribution)
            for goal, dept, contribution in rows
            if (department is None or dept.pk == department.pk)
            and (not status or (contribution.status if contribution else NOT_STARTED) in statuses_chosen(status))
        ]


class EventFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(label=_("Event"), choices=EventType.choices)
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.none())
    period = django_filters.ModelChoiceFilter(label=_("Period"), queryset=ReportingPeriod.objects.none())
    since = django_filters.DateFilter(label=_("From date"), field_name="created_at", lookup_expr="date__gte")

    class Meta:
        model = Event
        fields = ["type", "department", "period", "since"]

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = committee.departments.all()
        self.filters["period"].queryset = ReportingPeriod.objects.filter(plan__committee=committee).select_related(
            "plan"
        )
