#!/bin/sh
# The web server: granian (WSGI interface), which bench/wsgi_servers.py measured
# faster than gunicorn (sync and gthread) behind nginx on this service's pages.
# Started by hub-web.service (and by scripts/prod-local.sh) with the settings of
# /etc/hub/hub.env in the environment:
#   WEB_BIND     unix:/path/to.sock (default unix:/run/hub/web.sock) or HOST:PORT
#   WEB_WORKERS  processes (default 3: best on 2 cores in the bench; about cores + 1)
#   WEB_THREADS  threads per process that run Django (default 2); DB_POOL_MAX must be at least this
# Signals: HUP starts new workers with the new code, then stops the old ones
# (systemctl reload hub-web); TERM stops gracefully. A worker that dies (even by
# SIGKILL) is started again.
set -eu
cd "$(dirname "$0")/.."
bind="${WEB_BIND:-unix:/run/hub/web.sock}"
threads="${WEB_THREADS:-2}"
case "$bind" in
    unix:*) listen="--uds ${bind#unix:} --uds-permissions 0660" ;;
    *:*) listen="--host ${bind%:*} --port ${bind##*:}" ;;
    *) echo "hub-web: WEB_BIND must be unix:PATH or HOST:PORT, not $bind" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086 # $listen is two options with their values
exec "${HUB_VENV:-.venv}/bin/granian" --interface wsgi config.wsgi:application \
    $listen \
    --workers "${WEB_WORKERS:-3}" \
    --blocking-threads "$threads" \
    --backpressure "${WEB_BACKPRESSURE:-64}" \
    --http 1 --no-ws \
    --respawn-failed-workers --respawn-interval 1 \
    --workers-kill-timeout 30 \
    --log-level warning
