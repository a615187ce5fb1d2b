#!/usr/bin/env bash
# Run the whole test suite against real PostgreSQL, Redis and Chromium (see services.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

# Chromium for the browser tests, xgettext for the translation check.
command -v chromium >/dev/null || apt_install chromium fonts-liberation2
command -v xgettext >/dev/null || apt_install gettext
# pdftotext for the tests that read the text of the built PDF.
command -v pdftotext >/dev/null || apt_install poppler-utils
# WeasyPrint's system libraries and fonts for the PDF tests.
.venv/bin/python -c "import weasyprint" 2>/dev/null && fc-list | grep -qi "DejaVu Sans" \
  || apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu fonts-liberation2

# The checks CI runs besides the tests: lint, format, and no model change without its migration.
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run --settings=asn.settings.test

# pytest in its own process group, so that an interrupted run stops it and its workers too.
set +e
set -m
.venv/bin/pytest -n 2 "$@" &
child_pid=$!
set +m
wait "$child_pid"
status=$?
child_pid=
set -e
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: that is a failure." >&2
  status=1
fi
exit "$status"
