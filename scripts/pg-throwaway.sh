#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests: initdb in a new temp folder, listening on
# a UNIX socket in that folder and on 127.0.0.1 at a free port, trust authentication for the
# local user. Once it accepts connections it prints two lines: its base URL
# (postgres://USER@127.0.0.1:PORT/postgres?sslmode=disable) and its folder. The cluster stops and its folder goes when the process given by
# --watch PID ends (the test run), or on `scripts/pg-throwaway.sh stop DIR`; `pause DIR` and
# `resume DIR` stop and restart the server on its data (a database restart).
# PostgreSQL refuses to run as root: as root it runs as the `postgres` user (created if missing).
set -euo pipefail
# Close every inherited descriptor past stderr: the server this starts lives on, and a parent
# that watches a descriptor for this script's exit (Foundation's Process does) would wait for it.
for fd in $(ls /proc/$$/fd 2>/dev/null); do
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
if [ "${1:-}" = "pause" ] || [ "${1:-}" = "resume" ]; then
    # Stop the server keeping its data, or start it again where it was (tests of a database restart).
    pg_ctl_bin=$(cat "$2/pg_ctl")
    as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    if [ "$1" = "pause" ]; then "${as[@]}" "$pg_ctl_bin" -D "$2/data" -m fast -w stop >/dev/null
    else "${as[@]}" "$pg_ctl_bin" -D "$2/data" -l "$2/server.log" -w -t 60 -o "$(cat "$2/opts")" start >/dev/null; fi
    exit 0
fi
if [ "${1:-}" = "stop" ]; then
    pg_ctl_bin=$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | tail -1)
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pg_ctl_bin" -D "$2/data" -m fast stop >/dev/null 2>&1 || true
    else "$pg_ctl_bin" -D "$2/data" -m fast stop >/dev/null 2>&1 || true; fi
    rm -rf "$2"
    exit 0
fi
watch=""
if [ "${1:-}" = "--watch" ]; then watch="$2"; fi
bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1) $(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)"); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir="$d"; break; fi
done
if [ -z "$bindir" ]; then echo "no PostgreSQL server binaries (initdb, pg_ctl): apt-get install -y postgresql" >&2; exit 69; fi
as=()
user=$(id -un)
dir=$(mktemp -d "${TMPDIR:-/tmp}/servefit-pg.XXXXXX")
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    as=(runuser -u postgres --)
    user=postgres
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"${as[@]}" "$bindir/initdb" -D "$dir/data" -U "$user" --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 70; }
opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
echo "$opts" > "$dir/opts"
echo "$bindir/pg_ctl" > "$dir/pg_ctl"
"${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start >/dev/null || { cat "$dir/server.log" >&2; exit 70; }
echo "$dir" > "$dir/dir"
if [ -n "$watch" ]; then
    # Stop the cluster when the watched process ends, detached from this script's output.
    nohup bash -c "while kill -0 $watch 2>/dev/null; do sleep 1; done; '$0' stop '$dir'" >/dev/null 2>&1 &
fi
echo "postgres://$user@127.0.0.1:$port/postgres?sslmode=disable"
echo "$dir"
