#!/usr/bin/env bash
# Runs the module's checks: go vet, the race detector over the core package
# and the conformance suite, and every test, with the store tests on both
# SQLite and a real PostgreSQL.
#
# Postgres: when ORGS_TEST_POSTGRES_URL is set it is used as is; otherwise a
# throwaway PostgreSQL 15 cluster is started on 127.0.0.1 (installed with apt
# when missing and we are root), and removed on exit.
#
#   scripts/test.sh                      # the full check (what CI runs)
#   scripts/test.sh ./store/ -v -run X   # just `go test ARGS` against the cluster
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

start_postgres() {
	if [[ ! -x "$PGBIN/initdb" ]]; then
		if [[ $(id -u) -ne 0 ]]; then
			echo "test.sh: PostgreSQL 15 not found in $PGBIN and not root: install it or set ORGS_TEST_POSTGRES_URL" >&2
			exit 1
		fi
		echo "test.sh: installing PostgreSQL" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq postgresql >/dev/null
		if [[ ! -x "$PGBIN/initdb" ]]; then
			echo "test.sh: apt installed PostgreSQL, but not $PGBIN; set PGBIN" >&2
			exit 1
		fi
	fi

	PGTMP=$(mktemp -d /tmp/orgs-pg.XXXXXX)
	trap stop_postgres EXIT
	as_pg=()
	if [[ $(id -u) -eq 0 ]]; then
		chown postgres: "$PGTMP"
		as_pg=(runuser -u postgres --)
	fi

	"${as_pg[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1 ||
		{ cat "$PGTMP/initdb.log" >&2; exit 1; }

	local port
	for port in $(seq 54329 54429); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			break
		fi
	done
	PGPORT=$port
	"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -w -t 60 -l "$PGTMP/server.log" \
		-o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories=$PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
		start >/dev/null ||
		{ cat "$PGTMP/server.log" >&2; exit 1; }
	"${as_pg[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres orgs_test
	export ORGS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PGPORT/orgs_test?sslmode=disable"
	echo "test.sh: PostgreSQL on 127.0.0.1:$PGPORT (data in $PGTMP)" >&2
}

stop_postgres() {
	local rc=$?
	if [[ -n "${PGTMP:-}" && -d "$PGTMP" ]]; then
		"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
		rm -rf "$PGTMP"
	fi
	exit "$rc"
}

# Browser tests of the web UI (the nested module e2e/): headless Chromium and
# axe-core from npm, installed here when missing (as root, with apt; under
# CI=true a missing browser fails rather than skips). They run in the
# background, in parallel with the Go suites below, in their own process
# group; finish_browser_tests waits for them and prints their output.
start_browser_tests() {
	if [[ ! -x /usr/bin/chromium || -z "$(command -v npm)" ]]; then
		if [[ $(id -u) -eq 0 ]]; then
			echo "test.sh: installing Chromium and npm" >&2
			export DEBIAN_FRONTEND=noninteractive
			apt-get update -qq
			apt-get install -y -qq chromium npm >/dev/null
		elif [[ "${CI:-}" == "true" ]]; then
			echo "test.sh: Chromium or npm missing and not root: the browser tests cannot run" >&2
			exit 1
		else
			echo "test.sh: Chromium or npm missing and not root: SKIPPING the browser tests" >&2
			return
		fi
	fi
	(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
	BROWSER_LOG=$(mktemp /tmp/orgs-e2e.XXXXXX)
	setsid bash -c 'cd e2e && exec go test -count=1 ./uitest/...' >"$BROWSER_LOG" 2>&1 &
	BROWSER_PID=$!
	# On an early exit, stop them too (then stop_postgres, as before).
	trap stop_browser_tests EXIT
	echo "test.sh: browser tests started in the background (log $BROWSER_LOG)" >&2
}

stop_browser_tests() {
	local rc=$?
	set +e
	[[ -n "${BROWSER_PID:-}" ]] && kill -- -"$BROWSER_PID" 2>/dev/null
	(exit "$rc")
	stop_postgres
}

finish_browser_tests() {
	[[ -n "${BROWSER_PID:-}" ]] || return 0
	local rc=0
	wait "$BROWSER_PID" || rc=$?
	echo "== cd e2e && go test ./uitest/... (browser tests)" >&2
	cat "$BROWSER_LOG"
	rm -f "$BROWSER_LOG"
	cat e2e/artifacts/ui/axe-summary.txt 2>/dev/null || true
	echo "test.sh: UI screenshots and axe reports in $PWD/e2e/artifacts/ui" >&2
	BROWSER_PID=
	return "$rc"
}

if [[ -z "${ORGS_TEST_POSTGRES_URL:-}" ]]; then
	start_postgres
fi

if [[ $# -gt 0 ]]; then
	go test "$@"
	exit
fi

start_browser_tests

echo "== go vet ./..." >&2
go vet ./...
# The conformance suite has no tests of its own: it runs under -race through
# the in-memory store (fast) here, and through SQLite and Postgres below.
echo "== go test -race . ./storetest/... ./examples/customstore/" >&2
go test -race -count=1 . ./storetest/... ./examples/customstore/
echo "== go test ./..." >&2
go test -count=1 ./...
finish_browser_tests
