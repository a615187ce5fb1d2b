"""manage.py load_committee: a committee from its committee file (docs/committee-file.md)."""

import copy
import datetime
import io
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from commitments.models import (
    AssessmentScale,
    AssessmentValue,
    Committee,
    Department,
    Goal,
    MandatePeriod,
    Membership,
    Plan,
    ReportingPeriod,
)
from indicators.models import Indicator
from indicators.plan_files import read_paths, read_plan_files
from indicators.services import plan_import
from onboarding.committee_file import (
    MAX_BYTES,
    MAX_DEPTH,
    SECTIONS,
    CommitteeFileError,
    committee_file_check,
    committee_file_load,
    committee_file_read,
)

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE_DIR = ROOT / "docs/examples/exempelnamnd"
EXAMPLE = EXAMPLE_DIR / "committee.json"
ASN = ROOT / "demo/data/asn.json"

pytestmark = pytest.mark.django_db


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def write(tmp_path, data) -> str:
    path = tmp_path / "committee.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def load(path, **options) -> str:
    out = io.StringIO()
    call_command("load_committee", str(path), stdout=out, **options)
    return out.getvalue()


def refused(path, **options) -> str:
    """Run the command on a file it must refuse; return what it printed on stderr and in the error."""
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("load_committee", str(path), stdout=io.StringIO(), stderr=err, **options)
    return err.getvalue() + str(raised.value)


def snapshot() -> dict:
    """Every row of the apps the loader writes, with its last change: a loading that changes nothing keeps it."""
    models = [m for m in apps.get_models() if m._meta.app_label in ("accounts", "commitments", "indicators")]
    state = {}
    for model in models:
        fields = [f.attname for f in model._meta.concrete_fields]
        state[model._meta.label] = sorted(map(repr, model.objects.values_list(*fields)))
    return state


def test_the_example_loads_a_committee_shaped_unlike_asn(demo):
    printed = load(EXAMPLE)

    committee = Committee.objects.get(slug="kfn")
    assert (committee.name, committee.short_name, committee.organisation) == (
        "Kultur- och fritidsnämnden", "KFN", "Exempelstads kommun",
    )  # fmt: skip
    assert committee.diarienummer_problem("KFN 2026/45") is None
    assert committee.diarienummer_problem("ASN-2026-45") is not None

    departments = {d.code: d for d in committee.departments.select_related("parent")}
    assert set(departments) == {"KFF", "KUL", "FRI", "STAB"}
    assert departments["KFF"].parent is None
    assert departments["KFF"].kind == "administration"
    assert {departments[c].parent.code for c in ("KUL", "FRI", "STAB")} == {"KFF"}
    assert [departments[c].sort_order for c in ("KFF", "KUL", "FRI", "STAB")] == [0, 1, 2, 3]

    scale = AssessmentScale.objects.get(committee=committee, code="maluppfyllelse")
    levels = list(scale.values.order_by("sort_order"))
    assert [(v.sort_order, v.code, v.label, v.min_share, v.not_followed_up) for v in levels] == [
        (1, "uppfyllt", "Uppfyllt", Decimal(100), False),
        (2, "nastan", "Nästan uppfyllt", Decimal(90), False),
        (3, "delvis", "Delvis uppfyllt", Decimal(50), False),
        (4, "ej", "Ej uppfyllt", Decimal(0), False),
        (5, "ej-foljt-upp", "Ej följt upp", None, True),
    ]
    assert [v.colour for v in levels] == ["#2e7d32", "#7cb342", "#f9a825", "#c62828", "#757575"]
    assert levels[0].symbol == "●"
    assert levels[0].sentence_for(2026) == "Bedömningen är att målet för 2026 är uppfyllt."

    plan = Plan.objects.get(committee=committee, year=2026)
    assert plan.goal_year_scale == scale
    assert plan.commitment_scale == scale
    assert plan.goal_mandate_scale is None
    assert plan.mandate_period == MandatePeriod.objects.get(start_year=2023)
    assert plan.adopted_on == datetime.date(2025, 11, 20)
    periods = {p.slug: p for p in plan.periods.all()}
    assert set(periods) == {"2026-delar", "2026-helar"}
    assert periods["2026-delar"].deadline == datetime.date(2026, 9, 15)
    assert (periods["2026-helar"].end, periods["2026-helar"].deadline) == (
        datetime.date(2026, 12, 31), datetime.date(2027, 1, 25),
    )  # fmt: skip

    assert "Nämnden Kultur- och fritidsnämnden är inläst." in printed
    assert "Avdelningar: 4 nya, 0 ändrade, 0 oförändrade" in printed


def test_users_get_their_roles_and_no_usable_password(demo):
    printed = load(EXAMPLE)

    committee = Committee.objects.get(slug="kfn")
    roles = {
        (m.user.username, m.role, m.department.code if m.department else None)
        for m in Membership.objects.filter(committee=committee).select_related("user", "department")
    }
    assert roles == {
        ("kfn-admin", "committee_admin", None),
        ("kfn-granskare", "reviewer", None),
        ("kfn-kultur", "editor", "KUL"),
        ("kfn-fritid", "editor", "FRI"),
        ("kfn-stab", "editor", "STAB"),
    }
    users = User.objects.filter(username__startswith="kfn-")
    assert users.count() == 5
    assert not any(user.has_usable_password() for user in users)
    admin = users.get(username="kfn-admin")
    assert (admin.first_name, admin.last_name, admin.email, admin.is_staff) == (
        "Alma", "Berg", "alma.berg@exempelstad.example", True,
    )  # fmt: skip
    assert not users.get(username="kfn-kultur").is_staff
    assert "manage.py changepassword" in printed
    assert "kfn-admin" in printed


def test_a_second_run_changes_nothing_and_says_so(demo):
    load(EXAMPLE)
    before = snapshot()

    printed = load(EXAMPLE)

    assert snapshot() == before
    assert "Ingenting att ändra" in printed
    assert "Avdelningar: 0 nya, 0 ändrade, 4 oförändrade" in printed


def test_a_dry_run_reports_what_would_change_and_changes_nothing(demo):
    before = snapshot()

    printed = load(EXAMPLE, dry_run=True)

    assert snapshot() == before
    assert not Committee.objects.filter(slug="kfn").exists()
    assert "Provkörning: ingenting har ändrats." in printed
    assert "Bedömningsvärden: 5 nya, 0 ändrade, 0 oförändrade" in printed
    assert "ny: scales[0].levels[4] – Ej följt upp" in printed


def test_a_changed_file_updates_by_code_names_the_changes_and_deletes_nothing(demo, tmp_path):
    load(EXAMPLE)
    user = User.objects.get(username="kfn-kultur")
    user.set_password("a-password-she-chose")
    user.save()
    data = example()
    data["departments"][2]["name"] = "Fritids- och idrottsavdelningen"
    del data["departments"][3]  # STAB: no longer in the file, still in the database
    data["users"] = [u for u in data["users"] if u.get("department") != "STAB"]
    levels = data["scales"][0]["levels"]
    levels[0], levels[1] = levels[1], levels[0]  # a new order
    levels[2]["colour"] = "#ffb300"
    data["users"][2]["last_name"] = "Holmberg"

    printed = load(write(tmp_path, data))

    fri = Department.objects.get(committee__slug="kfn", code="FRI")
    assert fri.name == "Fritids- och idrottsavdelningen"
    assert Department.objects.filter(committee__slug="kfn", code="STAB").exists()
    assert "ändrad: departments[2] Fritids- och idrottsavdelningen (name)" in printed
    scale = AssessmentScale.objects.get(committee__slug="kfn")
    assert list(scale.values.order_by("sort_order").values_list("code", flat=True)) == [
        "nastan", "uppfyllt", "delvis", "ej", "ej-foljt-upp",
    ]  # fmt: skip
    assert scale.values.get(code="delvis").colour == "#ffb300"
    user.refresh_from_db()
    assert user.last_name == "Holmberg"
    assert user.check_password("a-password-she-chose")  # the file never touches a password


def test_a_level_only_in_the_database_keeps_its_place_after_the_files(demo, tmp_path):
    load(EXAMPLE)
    scale = AssessmentScale.objects.get(committee__slug="kfn")
    data = example()
    del data["scales"][0]["levels"][0]  # "uppfyllt" is left out: kept, after the file's four

    load(write(tmp_path, data))

    assert list(scale.values.order_by("sort_order").values_list("code", "sort_order")) == [
        ("nastan", 1), ("delvis", 2), ("ej", 3), ("ej-foljt-upp", 4), ("uppfyllt", 5),
    ]  # fmt: skip


def test_every_problem_is_named_with_its_key_path_at_once_and_nothing_changes(demo, tmp_path):
    data = example()
    data["committee"]["nmae"] = "typo"
    del data["committee"]["organisation"]
    data["departments"][1]["parent"] = "NOPE"
    data["departments"][2]["code"] = "KUL"
    data["departments"][3]["kind"] = "avdelning"
    data["departments"][0]["sort_order"] = "1"
    level = data["scales"][0]["levels"][0]
    level["colour"] = "green"
    level["min_share"] = "100"
    data["scales"][0]["levels"][1]["not_followed_up"] = "ja"
    data["plans"][0]["goal_year_scale"] = "finns-inte"
    data["plans"][0]["periods"][0]["deadline"] = "15/9 2026"
    data["plans"][0]["periods"][1]["status"] = "öppen"
    data["users"][0]["password"] = "hemligt"
    data["users"][1]["department"] = "KUL"
    del data["users"][2]["department"]
    data["users"][3]["department"] = "XYZ"
    data["users"][4]["username"] = "kfn admin!"
    data["report_layout"] = []  # a typo
    before = snapshot()

    printed = refused(write(tmp_path, data))

    expected = {
        "committee.nmae": "Okänd nyckel. Nycklarna här är: slug, name, short_name, organisation",
        "committee.organisation": "Nyckeln saknas: ange text inom citattecken.",
        "departments[1].parent": "”NOPE” är ingen avdelning i filen",
        "departments[2].code": "”KUL” förekommer två gånger som kod (även vid departments[1])",
        "departments[3].kind": "”avdelning” är inte ett av de tillåtna värdena: administration, department",
        "departments[0].sort_order": "Här ska stå ett heltal, inte text.",
        "scales[0].levels[0].colour": "Skriv färgen som #rrggbb",
        "scales[0].levels[0].min_share": "Här ska stå ett tal, t.ex. 90 eller 92.5, inte text.",
        "scales[0].levels[1].not_followed_up": "Här ska stå true eller false, inte text.",
        "plans[0].goal_year_scale": "”finns-inte” är ingen skala i filen",
        "plans[0].periods[0].deadline": "Här ska stå ett datum skrivet ÅÅÅÅ-MM-DD",
        "plans[0].periods[1].status": "”öppen” är inte ett av de tillåtna värdena: open, closed.",
        "users[0].password": "Okänd nyckel.",
        "users[1].department": "En granskare eller nämndadministratör verkar för hela nämnden",
        "users[2].department": "En redaktör eller läsare hör till en avdelning",
        "users[3].department": "”XYZ” är ingen avdelning i filen",
        "users[4].username": "Fyll i ett giltigt användarnamn.",
        "report_layout": f"Okänd nyckel. Nycklarna här är: {', '.join(s.key for s in SECTIONS)}.",
    }  # fmt: skip
    lines = printed.splitlines()
    for path, message in expected.items():
        assert any(line.startswith(f"{path}: ") and message in line for line in lines), (path, printed)
    assert f"{len(lines) - 1} fel i filen. Ingenting har ändrats." in printed
    assert snapshot() == before


def test_the_models_own_rules_are_problems_with_their_key_path_and_roll_everything_back(demo, tmp_path):
    data = example()
    data["committee"]["diarienummer_example"] = "KFN-2026-45"  # not of the committee's form
    data["plans"][0]["periods"][0]["start"] = "2025-12-01"  # before the plan year
    data["plans"][0]["periods"][1]["end"] = "2025-12-31"  # before it starts
    data["scales"][0]["levels"][4]["min_share"] = 10  # "not followed up" is never proposed by share
    before = snapshot()

    printed = refused(write(tmp_path, data))

    assert "committee.diarienummer_example: Exemplet har inte formen ovan." in printed
    # The committee is refused: nothing that belongs to it is loaded, nor reported twice.
    assert "plans[0]" not in printed
    data["committee"]["diarienummer_example"] = "KFN 2026/45"

    printed = refused(write(tmp_path, data))

    assert "plans[0].periods[0].start: Perioden måste börja under planens år." in printed
    assert "plans[0].periods[1]: Perioden kan inte sluta innan den börjar." in printed
    assert "scales[0].levels[4]: En nivå som betyder ”ej följt upp” föreslås aldrig utifrån andel." in printed
    assert snapshot() == before  # the committee, departments and users made before the problems: rolled back


def test_a_mandate_period_of_another_length_is_refused_not_moved(demo, tmp_path):
    data = example()
    data["mandate_periods"][0]["end_year"] = 2027  # the demo has 2023–2026, shared by all committees

    printed = refused(write(tmp_path, data))

    assert "mandate_periods[0].end_year: Mandatperioden från 2023 finns redan och slutar 2026." in printed
    assert MandatePeriod.objects.get(start_year=2023).end_year == 2026


def test_departments_whose_parents_go_round_in_a_circle_are_refused(demo, tmp_path):
    data = example()
    data["departments"][0]["parent"] = "STAB"  # KFF under STAB, STAB under KFF

    printed = refused(write(tmp_path, data))

    assert re.search(r"departments\[\d\]\.parent: Avdelningarnas överordnade enheter bildar en cirkel: ", printed)
    assert not Committee.objects.filter(slug="kfn").exists()


def test_a_parent_may_come_after_its_children_in_the_file(demo, tmp_path):
    data = example()
    data["departments"].append(data["departments"].pop(0))  # the administration last

    load(write(tmp_path, data))

    assert Department.objects.get(committee__slug="kfn", code="KUL").parent.code == "KFF"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{", "Filen är inte giltig JSON: felet finns på rad 1, kolumn 2."),
        (b'{"committee": {}, "committee": {}}', "committee: Nyckeln förekommer två gånger i samma objekt."),
        (b"[]", "Filen innehåller en lista; den ska innehålla ett objekt { … }."),
        (b'{"scales": NaN}', "NaN är inget tal i JSON"),
        ("{}".encode("utf-16"), "Filen är inte text i UTF-8."),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), f"fler än {MAX_DEPTH} nivåer"),
        (b"{}", "committee: Nyckeln saknas: ange ett objekt inom klammerparentes { … }."),
        (b'{"committee": "KFN"}', "committee: Här ska stå ett objekt inom klammerparentes { … }, inte text."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(demo, tmp_path, content, message):
    path = tmp_path / "committee.json"
    path.write_bytes(content)

    assert message in refused(path)


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(demo, tmp_path):
    path = tmp_path / "committee.json"
    path.write_bytes(b" " * (MAX_BYTES + 1))

    assert "Filen är större än 2 MB." in refused(path)
    with pytest.raises(CommitteeFileError):
        committee_file_read(b" " * (MAX_BYTES + 1))


def test_a_missing_file_is_named(demo, tmp_path):
    assert "Filen finns inte" in refused(tmp_path / "nothing.json")


def test_the_example_has_no_problem_and_uses_every_key_of_the_file():
    data = committee_file_read(EXAMPLE.read_bytes())
    assert committee_file_check(data) == []
    assert [s.key for s in SECTIONS if s.key in data] == [s.key for s in SECTIONS]


def test_the_example_plan_imports_into_the_loaded_committee(demo, tmp_path):
    """
    The plan sheets beside the example import into what the committee file made: goals
    followed up by their departments, mätetal with outcomes of the two earlier years. The
    targets written “Minst …” / “Max …” are read as plain figures here (the sheets keep the
    real forms for the plan file's reader of bounds).
    """
    load(EXAMPLE)
    sheets = tmp_path / "plan"
    shutil.copytree(EXAMPLE_DIR, sheets)
    targets = sheets / "malvarden.csv"
    targets.write_text(re.sub(r"(Minst|Max) ", "", targets.read_text(encoding="utf-8")), encoding="utf-8")
    committee = Committee.objects.get(slug="kfn")

    result = plan_import(
        user=None, committee=committee, year=2026, datasets=read_plan_files(read_paths([sheets]))
    )  # fmt: skip

    assert result.errors == []
    plan = Plan.objects.get(committee=committee, year=2026)
    assert list(plan.goal_areas.values_list("name", "number")) == [
        ("Medborgare", None), ("Verksamhet", None), ("Medarbetare", None), ("Ekonomi", None),
    ]  # fmt: skip
    assert not plan.commitments.exists()
    goal = Goal.objects.get(plan=plan, code="M1")
    assert sorted(goal.departments.values_list("code", flat=True)) == ["FRI", "KUL"]
    per_goal = {g.code: g.indicators.count() for g in Goal.objects.filter(plan=plan)}
    assert all(2 <= n <= 4 for n in per_goal.values()), per_goal
    indicator = Indicator.objects.get(plan=plan, code="M1-1")
    assert list(indicator.prior_outcomes.order_by("year").values_list("year", "value")) == [
        (2024, Decimal(55)), (2025, Decimal(57)),
    ]  # fmt: skip
    assert plan.goal_year_scale.code == "maluppfyllelse"  # the committee file's, kept by the import
    assert plan.periods.count() == 2


def test_the_examples_targets_are_written_as_bounds():
    text = (EXAMPLE_DIR / "malvarden.csv").read_text(encoding="utf-8")
    assert "Minst 80 %" in text
    assert "Max 5 %" in text


def test_asn_json_is_a_committee_file_read_by_the_same_loader(demo):
    """The demo's committee file, loaded as load_committee would, finds load_demo's committee as it left it."""
    data = committee_file_read(ASN.read_bytes())
    assert committee_file_check(data) == []

    result = committee_file_load(data, dry_run=True)

    assert result.problems == []
    changed = [(r.path, r.changed) for r in result.records if r.status != "unchanged"]
    # Only the period that load_demo keeps open (demo.json) has another deadline than the file's.
    assert changed == [("plans[0].periods[2]", ["deadline"])]
    assert len(result.records) == 1 + 2 + 10 + 3 + 9 + 2 + 4 + 8 + 8 + 3  # … and the three report layouts


def test_load_demo_keeps_helar_2019_open_and_renews_a_passed_deadline(demo):
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")
    today = timezone.localdate()
    assert period.deadline >= today
    assert period.is_open_for_entries()
    ReportingPeriod.objects.filter(pk=period.pk).update(deadline=today - datetime.timedelta(days=1))

    call_command("load_demo", password="demo-pass-123", stdout=io.StringIO())

    period.refresh_from_db()
    assert period.deadline == today + datetime.timedelta(days=60)


def test_load_demo_loads_the_committee_file_then_its_own_data(demo):
    """What asn.json says is in the database; demo.json's extras are not in asn.json."""
    spec = json.loads(ASN.read_text(encoding="utf-8"))
    assert {"files", "follow_ups", "reports"}.isdisjoint(set().union(*spec["plans"]))
    for item in spec["users"]:
        user = User.objects.get(username=item["username"])
        assert (user.email, user.is_staff) == (item["email"], item["is_staff"])
        assert user.has_usable_password()  # the demo's password, set by load_demo
    levels = copy.deepcopy(spec["scales"][0]["levels"])
    assert list(
        AssessmentValue.objects.filter(scale__committee=demo, scale__code=spec["scales"][0]["code"])
        .order_by("sort_order")
        .values_list("code", "symbol")
    ) == [(v["code"], v["symbol"]) for v in levels]
