#!/bin/sh
# The timed work, once: run every minute by hub-tasks.timer (and by the task loop
# of scripts/prod-local.sh). Each task is safe to run again and again.
# Environment: as for the web server (/etc/hub/hub.env).
cd "$(dirname "$0")/.." || exit 1
PY="${HUB_PYTHON:-.venv/bin/python}"
# One Python process for all of the timed work (hub/core/management/commands/minute_tasks.py
# lists it); one task failing does not stop the others, and the exit status says whether any failed.
exec "$PY" manage.py minute_tasks
