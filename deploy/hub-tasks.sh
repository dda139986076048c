#!/bin/sh
# The timed work, once: run every minute by hub-tasks.timer (and by the task loop
# of scripts/prod-local.sh). Each command is safe to run again and again, and one
# failing does not stop the others; the exit status says whether any failed.
# Environment: as for the web server (/etc/hub/hub.env).
cd "$(dirname "$0")/.." || exit 1
PY="${HUB_PYTHON:-.venv/bin/python}"
status=0
# outbox_sweep: re-sends anything a stopped worker left.
# broadcasts_tasks: starts scheduled bulletins, retries, takes back deliveries a stopped worker had reserved.
# social_tasks: supporter moments and scheduled posts that are due.
# training_tasks: expires unanswered offers of places, day-before reminders, feedback forms and certificates.
# screening_tasks: reminds practitioners when a child is due to be screened again.
# prerender_refresh: re-renders the pre-rendered public pages nginx serves (live numbers at least once a minute).
for command in outbox_sweep broadcasts_tasks social_tasks training_tasks screening_tasks prerender_refresh; do
    "$PY" manage.py "$command" || { echo "hub-tasks: manage.py $command failed" >&2; status=1; }
done
exit "$status"
