#!/usr/bin/env bash
# Run the playground: creates .venv and installs the runtime requirements if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec .venv/bin/streamlit run playground/serve.py --server.address "${HOST:-127.0.0.1}" "$@"
