#!/usr/bin/env bash
# Measure the department pages on a synthetic city and the demo report, against PostgreSQL (see services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
DJANGO_SETTINGS_MODULE=asn.settings.test .venv/bin/python -m bench.pages "$@"
DJANGO_SETTINGS_MODULE=asn.settings.test .venv/bin/python -m bench.reports
