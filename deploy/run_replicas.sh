#!/usr/bin/env bash
# Two Streamlit replicas (ports PORT+1, PORT+2) behind nginx on PORT (default 8600) with sticky sessions,
# one shared model store; Ctrl-C stops all three. Usage: deploy/run_replicas.sh [--port 8600] [--store DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" deploy/replicas.py --replicas 2 "$@"
