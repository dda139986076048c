#!/usr/bin/env bash
# Start the task worker and the web server together on 127.0.0.1; Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings.local
PORT="${PORT:-8000}"
PY=.venv/bin/python

"$PY" manage.py db_worker --interval 1 --no-reload &
WORKER_PID=$!
# Timed work once a minute (bulletins, social moments and posts, training offers and reminders,
# screening reminders, pre-rendered campaign pages: hub/core/management/commands/minute_tasks.py).
( while sleep 60; do "$PY" manage.py minute_tasks >/dev/null || true; done ) &
TIMER_PID=$!
trap 'kill "$WORKER_PID" "$TIMER_PID" 2>/dev/null || true' EXIT INT TERM

"$PY" manage.py demo_logins --url "http://127.0.0.1:${PORT}/"
"$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload
