#!/usr/bin/env bash
# Measure the department pages on a synthetic city, the demo report and the nightly build of the city
# (PostgreSQL, Redis and Celery workers; see services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
DJANGO_SETTINGS_MODULE=asn.settings.test .venv/bin/python -m bench.pages "$@"
DJANGO_SETTINGS_MODULE=asn.settings.test .venv/bin/python -m bench.reports
DJANGO_SETTINGS_MODULE=asn.settings.test .venv/bin/python -m bench.nightly
# Load: gunicorn with production's settings under 10, 25 and 50 simulated users (locust), beside a hello-world floor.
DJANGO_SETTINGS_MODULE=asn.settings.test .venv/bin/python -m bench.load
