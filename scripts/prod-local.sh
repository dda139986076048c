#!/usr/bin/env bash
# `make prod-local`: the production layout of deploy/ on this machine, on 127.0.0.1,
# with PostgreSQL and nginx from Debian's packages and config.settings.production:
# nginx (deploy/nginx, plain HTTP on 127.0.0.1:8080) -> the WSGI server on a unix
# socket (deploy/hub-web.sh) -> PostgreSQL through Django's connection pool; the
# task worker (db_worker), the timed work once a minute (deploy/hub-tasks.sh) and a
# local SMTP server that prints every email to a log. Run as root (it installs what
# is missing with apt-get and runs PostgreSQL as the postgres user); no systemd
# needed: it starts the processes itself.
#
#   scripts/prod-local.sh up [--detach]   start (stops a previous run first); Ctrl+C stops everything
#   scripts/prod-local.sh down            stop everything (make prod-local-stop)
#   scripts/prod-local.sh status          what is running
#   scripts/prod-local.sh prepare         PostgreSQL, settings, migrate, static files, demo data; no servers
#   scripts/prod-local.sh render-nginx DIR [local|tls]   write an nginx configuration to DIR (tests, bench)
#
# Everything lives in var/prod-local/ (never committed): env (the settings, with
# secrets generated on the first run and kept), pg/ (the cluster), var/ (HUB_VAR_DIR:
# static, media, prerendered, backups), run/ (pids, sockets), log/, nginx/.
# Knobs: PROD_LOCAL_PORT (8080), WEB_WORKERS, PROD_LOCAL_DETACH=1.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
ROOT=$REPO/var/prod-local
ENV_FILE=$ROOT/env
PGDATA=$ROOT/pg
RUN=$ROOT/run
LOG=$ROOT/log
NGINX_DIR=$ROOT/nginx
HUB_VAR=$ROOT/var
PY=$REPO/.venv/bin/python
HTTP_PORT=${PROD_LOCAL_PORT:-8080}
# Started in this order, stopped in the reverse one.
SERVICES=(mail worker tasks web nginx)

say() { printf '== %s\n' "$*"; }
die() { printf 'prod-local: %s\n' "$*" >&2; exit 1; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_packages() {
    local need=()
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
    command -v wrk >/dev/null || need+=(wrk)
    [ -n "$(pg_bin)" ] || need+=(postgresql)
    if [ ${#need[@]} -gt 0 ]; then
        [ "$(id -u)" = 0 ] || die "needs ${need[*]}: run as root, or apt-get install them"
        say "Installing ${need[*]} from Debian's packages"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
        # Debian starts the packaged nginx (port 80) and a default cluster; this stack uses its own.
    fi
    [ -x "$PY" ] || die "no .venv: run make install assets first (make prod-local does)"
}

free_port() {  # the first free TCP port on 127.0.0.1 from $1
    "$PY" - "$1" <<'PYEOF'
import socket, sys
port = int(sys.argv[1])
while True:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            port += 1
            continue
    print(port)
    break
PYEOF
}

port_free() { [ "$(free_port "$1")" = "$1" ]; }

as_postgres() { runuser -u postgres -- "$@"; }

pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

start_postgres() {
    local bin
    bin=$(pg_bin)
    mkdir -p "$ROOT" "$LOG"
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        say "Creating a PostgreSQL cluster in $PGDATA"
        mkdir -p "$PGDATA"
        chown postgres:postgres "$PGDATA" "$LOG"
        chmod 700 "$PGDATA"
        local pwfile
        pwfile=$(mktemp)
        printf '%s\n' "$PG_ADMIN_PASSWORD" >"$pwfile"
        chown postgres "$pwfile"
        # Peer authentication on the socket (the postgres user), passwords (SCRAM) over TCP, as in production.
        as_postgres "$bin/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=peer --auth-host=scram-sha-256 --pwfile="$pwfile" >/dev/null
        rm -f "$pwfile"
    fi
    chown postgres:postgres "$LOG"
    if ! pg_running; then
        if [ -z "${PG_PORT:-}" ] || ! port_free "$PG_PORT"; then PG_PORT=$(free_port 55500); fi
        say "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
        as_postgres "$bin/pg_ctl" -D "$PGDATA" -l "$LOG/postgresql.log" -w \
            -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" \
            start >/dev/null
    else
        PG_PORT=$(sed -n 4p "$PGDATA/postmaster.pid")
        say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
    fi
    local psql=("$bin/psql" -h "$PGDATA" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
    if [ "$(as_postgres "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'hub'")" != 1 ]; then
        as_postgres "${psql[@]}" -c "CREATE ROLE hub LOGIN" >/dev/null
    fi
    # Passwords follow the env file (kept between runs), so a new env file still works.
    as_postgres "${psql[@]}" -c "ALTER ROLE hub PASSWORD '$DB_PASSWORD'" >/dev/null
    as_postgres "${psql[@]}" -c "ALTER ROLE postgres PASSWORD '$PG_ADMIN_PASSWORD'" >/dev/null
    if [ "$(as_postgres "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'hub'")" != 1 ]; then
        as_postgres "${psql[@]}" -c "CREATE DATABASE hub OWNER hub" >/dev/null
    fi
}

secret() { "$PY" -c "import secrets; print(secrets.token_urlsafe($1))"; }

load_env() {
    # Keep the secrets of an earlier run: the data encrypted with them must stay readable.
    if [ -f "$ENV_FILE" ]; then
        set -a
        # shellcheck disable=SC1090
        . "$ENV_FILE"
        set +a
    fi
    SECRET_KEY=${SECRET_KEY:-$(secret 50)}
    AUDIT_HMAC_KEY=${AUDIT_HMAC_KEY:-$(secret 32)}
    FIELD_ENCRYPTION_KEYS=${FIELD_ENCRYPTION_KEYS:-$("$PY" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")}
    SCREENING_ENCRYPTION_KEYS=${SCREENING_ENCRYPTION_KEYS:-local1:$("$PY" -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())")}
    SCREENING_BLIND_INDEX_KEY=${SCREENING_BLIND_INDEX_KEY:-$(secret 32)}
    DB_PASSWORD=${PROD_LOCAL_DB_PASSWORD:-$(secret 24)}
    PG_ADMIN_PASSWORD=${PROD_LOCAL_PG_ADMIN_PASSWORD:-$(secret 24)}
    PG_PORT=${PROD_LOCAL_PG_PORT:-}
}

write_env() {
    local mail_port=${MAIL_PORT:-${EMAIL_PORT:-}}
    if [ -z "$mail_port" ] || { ! port_free "$mail_port" && ! running mail; }; then mail_port=$(free_port 2525); fi
    MAIL_PORT=$mail_port
    mkdir -p "$ROOT" "$HUB_VAR"
    umask 077
    cat >"$ENV_FILE.new" <<ENVEOF
# Written by scripts/prod-local.sh for the stack on 127.0.0.1; secrets generated on the first run.
# Local only: never copy it to a server (deploy/hub.env.example is the template for that).
DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY=$SECRET_KEY
AUDIT_HMAC_KEY=$AUDIT_HMAC_KEY
FIELD_ENCRYPTION_KEYS=$FIELD_ENCRYPTION_KEYS
SCREENING_ENCRYPTION_KEYS=$SCREENING_ENCRYPTION_KEYS
SCREENING_BLIND_INDEX_KEY=$SCREENING_BLIND_INDEX_KEY
DATABASE_URL=postgres://hub:$DB_PASSWORD@127.0.0.1:$PG_PORT/hub
DB_POOL_MIN=1
DB_POOL_MAX=4
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$HTTP_PORT,http://localhost:$HTTP_PORT
SITE_URL=http://127.0.0.1:$HTTP_PORT
HUB_VAR_DIR=$HUB_VAR
PRERENDER_ROOT=$HUB_VAR/prerendered
# Plain HTTP on the loopback only: no HTTPS redirect, cookies without Secure/__Host-, demo data allowed.
LOCAL_PLAIN_HTTP=true
HUB_ALLOW_DEMO=true
EMAIL_HOST=127.0.0.1
EMAIL_PORT=$MAIL_PORT
WEB_BIND=unix:$RUN/web.sock
WEB_REMOTE_ADDR_HEADER=X-Real-IP
# For benches and drills: this cluster's superuser, and its port.
PROD_LOCAL_DB_PASSWORD=$DB_PASSWORD
PROD_LOCAL_PG_ADMIN_PASSWORD=$PG_ADMIN_PASSWORD
PROD_LOCAL_PG_PORT=$PG_PORT
PROD_LOCAL_PG_ADMIN_URL=postgres://postgres:$PG_ADMIN_PASSWORD@127.0.0.1:$PG_PORT/postgres
ENVEOF
    mv "$ENV_FILE.new" "$ENV_FILE"
    umask 022
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
}

render_nginx() {  # render_nginx DIR [local|tls]: deploy/nginx with this machine's paths
    local out=$1 mode=${2:-local}
    local static=${STATIC_DIR:-$HUB_VAR/static} prerendered=${PRERENDER_DIR:-$HUB_VAR/prerendered}
    local socket=${WEB_SOCKET:-$RUN/web.sock} listen=${NGINX_LISTEN:-127.0.0.1:$HTTP_PORT}
    local bench_static=${BENCH_STATIC_DIR:-$HUB_VAR/bench-static}
    mkdir -p "$out/snippets" "$out/tmp"
    for file in deploy/nginx/snippets/*.conf; do
        sed -e "s|/srv/hub/var/static/|$static/|g" \
            -e "s|/srv/hub/var/prerendered|$prerendered|g" \
            -e "s|unix:/run/hub/web.sock|unix:$socket|g" \
            "$file" >"$out/snippets/$(basename "$file")"
    done
    local site
    if [ "$mode" = tls ]; then
        # The real site file, on a test port, with the certificate given by TLS_CERT and TLS_KEY.
        sed -e "s|/etc/ssl/hub/fullchain.pem|${TLS_CERT:?}|" -e "s|/etc/ssl/hub/privkey.pem|${TLS_KEY:?}|" \
            -e "s|listen 80|listen ${TLS_HTTP_PORT:-18080}|" -e "s|listen \[::\]:80|listen [::1]:${TLS_HTTP_PORT:-18080}|" \
            -e "s|listen 443|listen ${TLS_PORT:-18443}|" -e "s|listen \[::\]:443|listen [::1]:${TLS_PORT:-18443}|" \
            -e "s|root /var/www/letsencrypt|root $out/acme|" \
            deploy/nginx/hub.conf >"$out/hub.conf"
        site="include hub.conf;"
    else
        site="include snippets/hub-http.conf;
    # Plain HTTP on the loopback only: the TLS server of deploy/nginx/hub.conf with its locations.
    server {
        listen $listen default_server;
        server_name 127.0.0.1 localhost;
        include snippets/hub-site.conf;
        # bench/spike.py only, never in deploy/nginx: a plain copy of a pre-rendered page,
        # served with no logic or extra headers, the yardstick the real location is compared to.
        location ^~ /bench-static/ {
            alias $bench_static/;
        }
    }"
    fi
    cat >"$out/nginx.conf" <<NGINXEOF
# Written by scripts/prod-local.sh from deploy/nginx: the main configuration that
# Debian's /etc/nginx/nginx.conf is in a real install, with this machine's paths.
# Workers run as root here because the app server's socket belongs to root; in a
# real install they run as www-data, in the hub group (deploy/README.md).
user root;
worker_processes ${NGINX_WORKERS:-auto};
pid $out/nginx.pid;
error_log $out/error.log warn;
events {
    worker_connections 1024;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    access_log ${NGINX_ACCESS_LOG:-$out/access.log};
    client_body_temp_path $out/tmp/client_body;
    proxy_temp_path $out/tmp/proxy;
    fastcgi_temp_path $out/tmp/fastcgi;
    uwsgi_temp_path $out/tmp/uwsgi;
    scgi_temp_path $out/tmp/scgi;
    $site
}
NGINXEOF
}

manage() { "$PY" manage.py "$@"; }

prepare() {
    ensure_packages
    load_env
    start_postgres
    write_env
    mkdir -p "$HUB_VAR/prerendered" "$RUN" "$LOG"
    say "Migrating, collecting static files, loading the demo data (config.settings.production)"
    manage migrate --noinput -v 0
    manage collectstatic --noinput -v 0
    manage load_demo
    # The public pages nginx serves without the app (hub/campaigns/prerender.py); the task loop refreshes them.
    manage prerender_refresh
}

# --- processes -----------------------------------------------------------------
pidfile() { echo "$RUN/$1.pid"; }

owner() { [ "$(cat "$RUN/owner" 2>/dev/null)" = "$$" ]; }

running() {  # running NAME: its recorded process is alive and still leads its own process group
    local pid
    pid=$(cat "$(pidfile "$1")" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]
}

start() {  # start NAME COMMAND...: in a session of its own, so stopping it stops its children too
    local name=$1
    shift
    setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
    echo $! >"$(pidfile "$name")"
}

stop() {
    local name=$1 pid i
    if running "$name"; then
        pid=$(cat "$(pidfile "$name")")
        kill -TERM -- "-$pid" 2>/dev/null || true
        # Until every process of its group has gone (the web server lets requests finish).
        for i in $(seq 1 300); do
            kill -0 -- "-$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 -- "-$pid" 2>/dev/null; then
            echo "prod-local: $name did not stop in 30 s; killing it" >&2
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
        echo "stopped $name"
    fi
    rm -f "$(pidfile "$name")"
}

down() {
    local i
    rm -f "$RUN/owner"
    for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop "${SERVICES[$i]}"; done
    rm -f "$RUN/web.sock"
    if [ -f "$PGDATA/PG_VERSION" ] && pg_running; then
        as_postgres "$(pg_bin)/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null && echo "stopped postgresql"
    fi
}

status() {
    local name
    for name in "${SERVICES[@]}"; do
        if running "$name"; then echo "$name: running (pid $(cat "$(pidfile "$name")"))"; else echo "$name: stopped"; fi
    done
    if [ -f "$PGDATA/PG_VERSION" ] && pg_running; then echo "postgresql: running"; else echo "postgresql: stopped"; fi
}

up() {
    local detach=${PROD_LOCAL_DETACH:-0}
    [ "${1:-}" = --detach ] && detach=1
    [ "$(id -u)" = 0 ] || die "run as root (PostgreSQL runs as the postgres user, nginx binds as root)"
    down >/dev/null
    port_free "$HTTP_PORT" || die "127.0.0.1:$HTTP_PORT is in use: set PROD_LOCAL_PORT"
    prepare
    # This run owns the processes until another `up` or a `down` takes them over.
    echo $$ >"$RUN/owner"
    say "Starting the stack"
    start mail "$PY" -m aiosmtpd -n -l "127.0.0.1:$MAIL_PORT"
    # Started again whenever they exit, as systemd does (Restart=always in deploy/systemd):
    # granian itself restarts a worker that dies, but exits when one dies again within seconds.
    start worker bash -c 'while :; do "$0" manage.py db_worker --no-reload; echo "prod-local: worker exited ($?), again in 1 s"; sleep 1; done' "$PY"
    start tasks bash -c 'while sleep 60; do date -u +"%FT%TZ"; deploy/hub-tasks.sh; done'
    start web bash -c 'while :; do rm -f "${WEB_BIND#unix:}"; deploy/hub-web.sh; echo "prod-local: web server exited ($?), again in 1 s"; sleep 1; done'
    render_nginx "$NGINX_DIR" local
    /usr/sbin/nginx -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf"
    start nginx /usr/sbin/nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -g "daemon off;"

    local url=http://127.0.0.1:$HTTP_PORT i code=000
    for i in $(seq 1 60); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "$url/campaigns/cseday18/" || true)
        [ "$code" = 200 ] && break
        sleep 0.5
    done
    if [ "$code" != 200 ]; then
        tail -n 20 "$LOG/web.log" >&2 || true
        down
        die "the campaign page did not answer 200 through nginx ($code); logs in $LOG"
    fi
    manage demo_logins --url "$url/"
    cat <<URLS
The production layout is up (config.settings.production on PostgreSQL, plain HTTP on the loopback):
  $url/                        nginx -> $(grep -o -m 1 -E 'gunicorn|granian' deploy/hub-web.sh) on $RUN/web.sock
  $url/campaigns/cseday18/     public campaign page (nginx serves a pre-rendered copy if there is one)
  $url/staff/                  staff pages (sign in first)
  emails:    $LOG/mail.log (a local SMTP server on 127.0.0.1:$MAIL_PORT prints them)
  logs:      $LOG/
  settings:  $ENV_FILE
  database:  $DATABASE_URL
Stop with: make prod-local-stop (or scripts/prod-local.sh down)$([ "$detach" = 1 ] || echo ", or Ctrl+C here")
URLS
    [ "$detach" = 1 ] && return 0
    trap 'echo; owner && down; exit 0' INT TERM
    while :; do
        if ! owner; then
            echo "prod-local: stopped, or taken over by another make prod-local"
            exit 0
        fi
        for name in "${SERVICES[@]}"; do
            if ! running "$name"; then
                echo "prod-local: $name stopped (its log: $LOG/$name.log); stopping the rest" >&2
                down
                exit 1
            fi
        done
        sleep 2 &
        wait $! || true
    done
}

case "${1:-up}" in
    up) shift || true; up "$@" ;;
    down | stop) down ;;
    status) status ;;
    prepare) [ "$(id -u)" = 0 ] || die "run as root"; prepare ;;
    render-nginx) HUB_VAR=${HUB_VAR_DIR:-$HUB_VAR}; render_nginx "${2:?render-nginx DIR [local|tls]}" "${3:-local}" ;;
    *) die "unknown command ${1}: up [--detach], down, status, prepare, render-nginx DIR [local|tls]" ;;
esac
