"""Import/export resources of indicators, targets and prior outcomes, within one plan."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from commitments.models import Commitment, Department, Goal
from commitments.resources import PlanResource, order_field, text_field
from commitments.widgets import (
    ChoiceWidget,
    CodeListWidget,
    CodeWidget,
    NumberWidget,
    WholeNumberWidget,
    YesNoWidget,
    is_blank,
)

from .models import Indicator, PriorOutcome, Target
from .targets import read_target, written_target
from .workflow import reporting_problem


class IndicatorResource(PlanResource):
    sheet_name = "Indikatorer"
    parent_column = "mål"
    optional_columns = (
        "beskrivning", "ny", "nyetikett", "radnamn-totalt", "radnamn-antal", "radnamn-andel", "rapporterande",
        "kolada",
    )  # fmt: skip

    code = text_field("code", "kod")
    goal = fields.Field(attribute="goal", column_name="mål")
    commitment = fields.Field(attribute="commitment", column_name="åtagande")
    level = fields.Field(
        attribute="level",
        column_name="nivå",
        widget=ChoiceWidget({"målindikator": Indicator.Level.GOAL, "åtagandeindikator": Indicator.Level.COMMITMENT}),
    )
    name = text_field("name", "namn")
    kind = fields.Field(
        attribute="kind",
        column_name="typ",
        widget=ChoiceWidget({"kvantitativ": Indicator.Kind.QUANTITATIVE, "kvalitativ": Indicator.Kind.QUALITATIVE}),
    )
    unit = fields.Field(
        attribute="unit",
        column_name="enhet",
        widget=ChoiceWidget({value: value for value in Indicator.Unit.values} | {"procent": "%"}),
    )
    direction = fields.Field(
        attribute="direction",
        column_name="riktning",
        widget=ChoiceWidget(
            {
                "högre": Indicator.Direction.HIGHER,
                "lägre": Indicator.Direction.LOWER,
                "ingen": Indicator.Direction.NONE,
            }
        ),
    )
    disaggregation = fields.Field(
        attribute="disaggregation",
        column_name="uppdelning",
        widget=ChoiceWidget(
            {
                "ingen": Indicator.Disaggregation.NONE,
                "kvinnor-män": Indicator.Disaggregation.WOMEN_MEN,
                "flickor-pojkar": Indicator.Disaggregation.GIRLS_BOYS,
            },
            default=Indicator.Disaggregation.NONE,
        ),
    )
    is_new = fields.Field(attribute="is_new", column_name="ny", widget=YesNoWidget())
    new_label = text_field("new_label", "nyetikett")
    #: The rows of the table by sex, as the follow-up names them ("Totalt antal avslut").
    total_label = text_field("total_label", "radnamn-totalt")
    count_label = text_field("count_label", "radnamn-antal")
    share_label = text_field("share_label", "radnamn-andel")
    sort_order = order_field()
    description = text_field("description", "beskrivning")
    #: The Kolada KPI it is (N31816): its outcome is fetched and proposed (kolada/).
    kolada_kpi = text_field("kolada_kpi", "kolada")
    #: The departments that report it, where not every department of its commitment or goal does.
    departments = fields.Field(attribute="departments", column_name="rapporterande", m2m_add=False)

    class Meta(PlanResource.Meta):
        model = Indicator
        fields = (
            "year", "code", "goal", "commitment", "level", "name", "kind", "unit", "direction",
            "disaggregation", "is_new", "new_label", "total_label", "count_label", "share_label", "sort_order",
            "description", "kolada_kpi", "departments",
        )  # fmt: skip

    def __init__(self, plan) -> None:
        super().__init__(plan)
        self.fields["goal"].widget = CodeWidget(Goal, lambda: Goal.objects.filter(plan=self.plan))
        self.fields["commitment"].widget = CodeWidget(Commitment, lambda: Commitment.objects.filter(plan=self.plan))
        self.fields["departments"].widget = CodeListWidget(
            Department, lambda: Department.objects.filter(committee_id=self.plan.committee_id)
        )

    def check_row(self, row) -> dict[str, list[str]]:
        """
        The reporting departments (saved after the row) must be known, and each must be one
        that can report it: responsible for its commitment; for a goal's own indicator, one
        that follows up the goal or is responsible for one of the goal's commitments.
        """
        errors = super().check_row(row)
        if errors or is_blank(row.get("rapporterande")):
            return errors
        try:
            named = self.fields["departments"].clean(row)
        except ValueError as e:
            return errors | {"departments": [str(e)]}
        try:
            goal = self.fields["goal"].clean(row)
            commitment = self.fields["commitment"].clean(row)
        except ValueError:
            return errors  # an unknown goal or commitment is named in its own column
        if goal is None:
            return errors
        problem = reporting_problem(named, goal, commitment)
        if problem:
            errors["departments"] = [problem]
        return errors

    def plan_queryset(self):
        return (
            Indicator.objects.filter(plan=self.plan)
            .select_related("goal__goal_area", "commitment")
            .prefetch_related("departments")
        )


class TargetWidget(widgets.Widget):
    """
    A target's figure with its bound: “Minst 80 %”, “Max 5”, “≥ 80”, “= 80”, or a plain number;
    cleaned to ``(comparator, value)``, blank to ``("", None)``.
    """

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return Target.Comparator.DIRECTION, None
        if isinstance(value, bool):
            raise ValueError(self.unreadable(value))
        if isinstance(value, int | float):  # a number cell of the workbook
            return Target.Comparator.DIRECTION, NumberWidget().clean(value)
        try:
            return read_target(value)
        except ValueError:
            raise ValueError(self.unreadable(value)) from None

    @staticmethod
    def unreadable(value) -> str:
        return _(
            "“%(value)s” cannot be read as a target. Write a number (“80”, “36,1”, “1 200”, “80 %%”), "
            "or a bound: “Minst 80 %%”, “Högst 5”, “Max 5”, “Exakt 80”, “≥ 80”, “≤ 5” or “= 80”. "
            "A target in words goes in the column “text”."
        ) % {"value": value}

    def render(self, value, obj=None, **kwargs):
        comparator, number = value
        if number is None:
            return ""
        if comparator:
            return written_target(comparator, number)
        return NumberWidget().render(number)


class TargetValueField(fields.Field):
    """The “värde” column of a target: sets both its value and its comparator."""

    def __init__(self) -> None:
        super().__init__(attribute="value", column_name="värde", widget=TargetWidget())

    def get_value(self, instance):
        # Compared by ``skip_row`` too: a changed bound alone is a change of the row.
        return instance.comparator, instance.value

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.comparator, instance.value = self.clean(row, **kwargs)


class YearValueResource(PlanResource):
    """Base of targets and prior outcomes: indicator × year × part, a number or a text."""

    indicator = fields.Field(attribute="indicator", column_name="indikator")
    part = text_field("part", "del")
    text = text_field("text", "text")

    class Meta(PlanResource.Meta):
        import_id_fields = ("indicator", "value_year", "part")

    def __init__(self, plan) -> None:
        super().__init__(plan)
        self.fields["indicator"].widget = CodeWidget(Indicator, lambda: Indicator.objects.filter(plan=self.plan))

    def init_instance(self, row=None):
        return self._meta.model()

    def plan_queryset(self):
        return (
            self._meta.model.objects.filter(indicator__plan=self.plan)
            .select_related("indicator__goal__goal_area")
            .order_by("indicator__goal__goal_area__sort_order", "indicator__goal__sort_order",
                      "indicator__sort_order", "year", "part")
        )  # fmt: skip


class TargetResource(YearValueResource):
    sheet_name = "Målvärden"
    key_columns = ("indikator", "målår", "del")

    value_year = fields.Field(attribute="year", column_name="målår", widget=WholeNumberWidget())
    value = TargetValueField()

    class Meta(YearValueResource.Meta):
        model = Target
        fields = ("year", "indicator", "value_year", "part", "value", "text")


class PriorOutcomeResource(YearValueResource):
    sheet_name = "Utfall"
    key_columns = ("indikator", "utfallsår", "del")

    value_year = fields.Field(attribute="year", column_name="utfallsår", widget=WholeNumberWidget())
    value = fields.Field(
        attribute="value",
        column_name="värde",
        widget=NumberWidget(
            message=gettext_lazy(
                "“%(value)s” cannot be read as an outcome. Write a number such as “80”, “36,1”, “1 200” or "
                "“80 %%”. An outcome in words goes in the column “text”."
            )
        ),
    )

    class Meta(YearValueResource.Meta):
        model = PriorOutcome
        fields = ("year", "indicator", "value_year", "part", "value", "text")
