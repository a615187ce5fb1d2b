"""
Import/export resources of the plan (django-import-export), keyed on stable codes.

Every resource works inside one plan: lookups, new rows and the ``år`` column are scoped
to it, so the same codes can exist in other years and other committees.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources

from .models import Commitment, Department, Goal, GoalArea, Plan
from .widgets import ChoiceWidget, CodeListWidget, CodeWidget, TextWidget, WholeNumberWidget, YesNoWidget


def text_field(attribute: str, column: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=TextWidget())


def order_field(column: str = "ordning") -> fields.Field:
    return fields.Field(attribute="sort_order", column_name=column, widget=WholeNumberWidget())


class PlanResource(resources.ModelResource):
    """Base of the plan's resources: one plan, natural keys, unchanged rows skipped."""

    #: The sheet's title in the workbook.
    sheet_name: str = ""
    #: The columns that identify a row within the plan.
    key_columns: tuple[str, ...] = ("kod",)
    #: Columns that may be left out of a file (the rows then keep what they have).
    optional_columns: tuple[str, ...] = ()
    #: The column naming the row's parent, within which ``ordning`` is unique (none: the plan).
    parent_column: str | None = None

    year = fields.Field(column_name="år", widget=WholeNumberWidget())

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    class Meta:
        skip_unchanged = True
        report_skipped = True
        store_row_values = True
        clean_model_instances = True
        use_transactions = True
        import_id_fields = ("code",)

    def plan_queryset(self):
        """Return this resource's rows of the plan."""
        raise NotImplementedError

    def get_queryset(self):
        return self.plan_queryset()

    def init_instance(self, row=None):
        return self._meta.model(plan=self.plan)

    def dehydrate_year(self, obj) -> int:
        return self.plan.year

    def get_instance(self, instance_loader, row):
        # An unknown code in a key column (a target's indicator) is an error of that column.
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                field.clean(row)
            except ValueError as e:
                errors[field.attribute] = [str(e)]
        if errors:
            raise ValidationError(errors)
        return super().get_instance(instance_loader, row)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The order within a parent is checked once the whole file is in (see
        # ``plan_import``), so that a file may swap or renumber rows.
        # A cell that could not be read has said so and which forms it takes; what the model
        # then says of the same field (left empty) would contradict it, so it is left out.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=[*errors, "sort_order"], validate_unique=validate_unique)
        except ValidationError as e:
            for field, messages in e.update_error_dict({}).items():
                if field == NON_FIELD_ERRORS:
                    errors.setdefault(field, []).extend(messages)
                elif field not in errors:
                    errors[field] = messages
        if errors:
            raise ValidationError(errors)

    def import_instance(self, instance, row, **kwargs):
        """Read the row into ``instance``, collecting every column's error at once."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        errors.update(self.check_row(row))
        if errors:
            raise ValidationError(errors)

    def check_row(self, row) -> dict[str, list[str]]:
        """Return errors of the row that no single widget or the model can see, by field."""
        try:
            year = WholeNumberWidget().clean(row.get("år"))
        except ValueError as e:
            return {"år": [str(e)]}
        if year != self.plan.year:
            return {
                "år": [
                    _("The row is for the year %(row)s, but the import is for %(plan)s.")
                    % {"row": "–" if year is None else year, "plan": self.plan.year}
                ]
            }
        return {}

    def columns(self) -> list[str]:
        """Return the column names of the sheet, in order."""
        return [f.column_name for f in self.get_export_fields()]


class GoalAreaResource(PlanResource):
    sheet_name = "Målområden"

    code = text_field("code", "kod")
    number = fields.Field(attribute="number", column_name="nummer", widget=WholeNumberWidget())
    name = text_field("name", "namn")
    sort_order = order_field()

    class Meta(PlanResource.Meta):
        model = GoalArea
        fields = ("year", "code", "number", "name", "sort_order")

    def plan_queryset(self):
        return GoalArea.objects.filter(plan=self.plan)


class GoalResource(PlanResource):
    sheet_name = "Mål"
    parent_column = "målområde"
    optional_columns = ("kortnamn", "förslagstext", "alternativtext", "not", "ny", "bidrar", "ansvariga")

    code = text_field("code", "kod")
    goal_area = fields.Field(attribute="goal_area", column_name="målområde")
    level = fields.Field(
        attribute="level",
        column_name="nivå",
        widget=ChoiceWidget(
            {
                "nämndsmål": Goal.Level.COMMITTEE,
                "kommunfullmäktigemål": Goal.Level.COUNCIL,
                "kf-mål": Goal.Level.COUNCIL,
                "prioritering": Goal.Level.PRIORITY,
                "budgetuppdrag": Goal.Level.ASSIGNMENT,
            }
        ),
    )
    text = text_field("text", "text")
    short_name = text_field("short_name", "kortnamn")
    proposal_text = text_field("proposal_text", "förslagstext")
    alternative_text = text_field("alternative_text", "alternativtext")
    note = text_field("note", "not")
    is_new = fields.Field(attribute="is_new", column_name="ny", widget=YesNoWidget())
    contributes = fields.Field(attribute="contributes", column_name="bidrar", widget=YesNoWidget(blank=True))
    #: The departments that write the follow-up of the contribution to the goal (årsanalys).
    departments = fields.Field(attribute="departments", column_name="ansvariga", m2m_add=False)
    sort_order = order_field()

    class Meta(PlanResource.Meta):
        model = Goal
        fields = (
            "year", "code", "goal_area", "level", "text", "short_name", "proposal_text", "alternative_text",
            "note", "is_new", "contributes", "departments", "sort_order",
        )  # fmt: skip

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        self.fields["goal_area"].widget = CodeWidget(GoalArea, lambda: GoalArea.objects.filter(plan=self.plan))
        self.fields["departments"].widget = CodeListWidget(
            Department, lambda: Department.objects.filter(committee_id=self.plan.committee_id)
        )

    def check_row(self, row) -> dict[str, list[str]]:
        errors = super().check_row(row)
        if "ansvariga" in row:
            try:  # many-to-many values are saved after the row: an unknown code is checked here
                self.fields["departments"].clean(row)
            except ValueError as e:
                errors["departments"] = [str(e)]
        return errors

    def plan_queryset(self):
        return Goal.objects.filter(plan=self.plan).select_related("goal_area").prefetch_related("departments")


class CommitmentResource(PlanResource):
    sheet_name = "Åtaganden"
    parent_column = "mål"
    optional_columns = ("förslagstext",)

    code = text_field("code", "kod")
    goal = fields.Field(attribute="goal", column_name="mål")
    text = text_field("text", "text")
    proposal_text = text_field("proposal_text", "förslagstext")
    departments = fields.Field(attribute="departments", column_name="ansvariga", m2m_add=False)
    sort_order = order_field()

    class Meta(PlanResource.Meta):
        model = Commitment
        fields = ("year", "code", "goal", "text", "proposal_text", "departments", "sort_order")

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        self.fields["goal"].widget = CodeWidget(Goal, lambda: Goal.objects.filter(plan=self.plan))
        self.fields["departments"].widget = CodeListWidget(
            Department, lambda: Department.objects.filter(committee_id=self.plan.committee_id)
        )

    def check_row(self, row) -> dict[str, list[str]]:
        errors = super().check_row(row)
        if "ansvariga" in row:
            # Many-to-many values are saved after the row; checked here so that an unknown
            # code is a row error like any other.
            try:
                if not self.fields["departments"].clean(row):
                    errors["departments"] = [_("Name at least one responsible department.")]
            except ValueError as e:
                errors["departments"] = [str(e)]
        return errors

    def plan_queryset(self):
        return (
            Commitment.objects.filter(plan=self.plan).select_related("goal__goal_area").prefetch_related("departments")
        )
