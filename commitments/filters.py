"""Filters of the department's list of commitments (django-filter)."""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from .models import AssessmentValue, Department, Event, EventType, Goal, GoalArea, ReportingPeriod, ReviewStatus
from .selectors import NOT_STARTED, CommitmentDepartment, list_filter_choices

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
    # Not "Search": the header's field searches the whole committee, this one narrows the list.
    q = django_filters.CharFilter(label=_("Filter the list by words"), method="search")
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

    def __init__(self, *args, period, departments: set[int] | None = None, **kwargs):
        """``departments``: the ids of the departments whose rows the queryset holds (None: all of them)."""
        super().__init__(*args, **kwargs)
        self.period, self.departments = period, departments
        if not self.is_bound:
            return  # Nothing to check: the choices come from list_filter_choices (the form property).
        self.filters["goal_area"].queryset = GoalArea.objects.filter(plan=period.plan)
        self.filters["goal"].queryset = Goal.objects.filter(plan=period.plan)
        scale = period.plan.commitment_scale_id
        self.filters["assessment"].queryset = AssessmentValue.objects.filter(scale_id=scale)
        self.filters["department"].queryset = Department.objects.filter(
            pk__in=self.queryset.values("department")
        ).order_by("sort_order", "name")

    @property
    def form(self):
        """The form; its choices as the plan keeps them (``list_filter_choices``), its querysets only check a value."""
        if not hasattr(self, "_form"):
            form = super().form
            for name, choices in list_filter_choices(self.period.plan).items():
                if name == "department" and self.departments is not None:
                    choices = [(pk, label) for pk, label in choices if pk in self.departments]
                field = form.fields[name]
                field.widget.choices = KnownChoices(field, choices)
        return self._form

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


class KnownChoices(ModelChoiceIterator):
    """
    A model choice field's choices from (id, label) pairs read before (as the plan keeps them),
    not from its queryset; the queryset still checks the value chosen.
    """

    def __init__(self, field, choices: list[tuple[int, str]]):
        super().__init__(field)
        self.known = choices

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:
            yield (self.field.null_value, self.field.null_label)
        for pk, label in self.known:
            yield (ModelChoiceIteratorValue(pk, None), label)

    def __len__(self):
        return sum(1 for _ in self)

    def __bool__(self):
        return len(self) > 0


def _choice(label, queryset=None, **kwargs):
    """A filter's choice of a model row, with the lists' empty choice ("Alla")."""
    return forms.ModelChoiceField(
        label=label,
        queryset=queryset if queryset is not None else Department.objects.none(),
        required=False,
        empty_label=settings.FILTERS_EMPTY_CHOICE_LABEL,
        **kwargs,
    )


def _status_choice():
    return forms.ChoiceField(
        label=_("Status"), choices=[("", settings.FILTERS_EMPTY_CHOICE_LABEL), *STATUS_CHOICES], required=False
    )


class RowChoiceForm(forms.Form):
    """
    Filters of a period's rows that are not a queryset: goal area, goal, status, assessment
    and department, by the same names (and values) as ``CommitmentRowFilter`` takes them, so
    that one query string chooses the same rows on either list. A value that is not valid is
    left out, as django-filter leaves it out.
    """

    goal_area = _choice(_("Goal area"))
    goal = _choice(_("Goal"))
    status = _status_choice()
    assessment = _choice(_("Assessment"))
    department = _choice(_("Department"))

    @property
    def chosen(self) -> dict:
        """The valid values given (none for an unbound form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def keeps(self, *, goal_area_id, goal_id, status, assessment_id, department_id) -> bool:
        """Whether the valid filters choose a row of these values."""
        chosen = self.chosen
        return (
            ("goal_area" not in chosen or goal_area_id == chosen["goal_area"].pk)
            and ("goal" not in chosen or goal_id == chosen["goal"].pk)
            and ("status" not in chosen or status in statuses_chosen(chosen["status"]))
            and ("assessment" not in chosen or assessment_id == chosen["assessment"].pk)
            and ("department" not in chosen or department_id == chosen["department"].pk)
        )


class ContributionRowForm(RowChoiceForm):
    """The filters of the list of goal follow-ups (rows of goal × department, not a queryset)."""

    field_order = ["goal_area", "goal", "status", "assessment", "department"]

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        plan = period.plan
        goals = Goal.objects.filter(plan=plan, contributes=True, departments__isnull=False).distinct()
        self.fields["goal_area"].queryset = GoalArea.objects.filter(plan=plan, goals__in=goals).distinct()
        self.fields["goal"].queryset = goals
        self.fields["assessment"].queryset = AssessmentValue.objects.filter(scale_id=plan.goal_year_scale_id)
        self.fields["department"].queryset = (
            Department.objects.filter(committee_id=plan.committee_id, goals__plan=plan, goals__contributes=True)
            .distinct()
            .order_by("sort_order", "name")
        )

    def filter(self, rows: list[tuple]) -> list[tuple]:
        """Keep the rows (goal, department, contribution or None) that the valid filters choose."""
        return [
            (goal, dept, contribution)
            for goal, dept, contribution in rows
            if self.keeps(
                goal_area_id=goal.goal_area_id,
                goal_id=goal.pk,
                status=contribution.status if contribution else NOT_STARTED,
                assessment_id=contribution.assessment_id if contribution else None,
                department_id=dept.pk,
            )
        ]


class OverviewFilterForm(RowChoiceForm):
    """
    The filters of a period's overview, over both kinds of row: the assessment is a value of
    the commitments' scale or of the goals' scale for the year (it chooses the rows of its kind).
    """

    field_order = ["goal_area", "goal", "status", "assessment", "department"]

    def __init__(self, *args, period, departments: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        plan = period.plan
        self.fields["goal_area"].queryset = GoalArea.objects.filter(plan=plan)
        self.fields["goal"].queryset = Goal.objects.filter(plan=plan)
        scales = [s for s in (plan.commitment_scale_id, plan.goal_year_scale_id) if s]
        self.fields["assessment"].queryset = AssessmentValue.objects.filter(scale_id__in=scales).order_by(
            "scale_id", "sort_order"
        )
        in_plan = Department.objects.filter(committee_id=plan.committee_id).filter(
            Q(commitments__plan=plan) | Q(goals__plan=plan, goals__contributes=True)
        )
        if departments is not None:
            in_plan = in_plan.filter(pk__in=departments)
        self.fields["department"].queryset = in_plan.distinct().order_by("sort_order", "name")


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
