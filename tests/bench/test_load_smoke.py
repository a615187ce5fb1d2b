"""
The load section of ``make bench`` (bench/load.py) run small: a city of one committee, two
simulated users for a few seconds against gunicorn with production's settings, and the
hello-world floor. Its table must have figures in every row and no failure.
"""

import re

import pytest

from bench.load import run_load

ROW = re.compile(
    r"^\s*(?P<users>\d+)  (?P<page>.+?)\s+(?P<rps>\d+\.\d)\s+(?P<p50>\d+)\s+(?P<p95>\d+)\s+(?P<failures>\d+)"
    r"\s+(?P<cpu>\d+\.\d)\b"
)


@pytest.mark.django_db(transaction=True)
def test_the_load_section_measures_a_tiny_city_without_failures():
    lines = run_load(
        users=[2], seconds=4, warmup=1, committees=1, static="manifest", server_env={"GUNICORN_WORKERS": "1"}
    )
    rows = {m["page"]: m for m in map(ROW.match, lines) if m}
    assert "all pages (server)" in rows, "\n".join(lines)
    assert "hello world (floor)" in rows, "\n".join(lines)
    # Every page type measured has figures and no failure; the users did more than log in.
    assert set(rows) - {"all pages (server)", "hello world (floor)", "log in"}, "\n".join(lines)
    for row in rows.values():
        assert row["users"] == "2"
        assert float(row["rps"]) > 0
        assert row["failures"] == "0", "\n".join(lines)
        # The floor's CPU is read from /proc in clock ticks (10 ms): a few hello-worlds may cost none.
        assert float(row["cpu"]) > 0 or row["page"] == "hello world (floor)", "\n".join(lines)
    # No error was reported at all (the failures of the warm-up included).
    assert not [line for line in lines if line.startswith("  app at") or line.startswith("  floor at")]


def test_the_servers_begin_a_new_plan_generation_for_the_city_built(db):
    """
    The city is built with the test settings (a cache in this process's memory): the servers'
    Redis must not keep the generation under which an earlier run's city, same database name
    and same ids, was kept (it showed the lists as 404: another city's periods and roles).
    """
    import os

    from bench.load import new_plan_generation, servers_cache
    from common.plan_cache import generation_key

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    cache = servers_cache(url)
    cache.set(generation_key(), 41, timeout=60)
    new_plan_generation(url)
    assert cache.get(generation_key()) is None
