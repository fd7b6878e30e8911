#!/usr/bin/env bash
# Run every check: creates .venv, installs the dev requirements, lints, runs pytest.
# Browser tests use Debian's chromium (/usr/bin/chromium); outside CI they are
# skipped when it is missing, in CI (CI=true) they fail.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
