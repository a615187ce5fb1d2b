"""Filters of the department's list of commitments (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import AssessmentValue, Department, Event, EventType, Goal, GoalArea, ReportingPeriod, ReviewStatus
from .selectors import NOT_STARTED, CommitmentDepartment

STATUS_CHOICES = [(NOT_STARTED, _("not started")), *ReviewStatus.choices]


class CommitmentRowFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    goal_area = django_filters.ModelChoiceFilter(
        label=_("Goal area"), field_name="commitment__goal__goal_area", queryset=GoalArea.objects.none()
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES)
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
