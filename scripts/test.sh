#!/usr/bin/env bash
# Runs every check of the three modules (the root, examples/ and e2e/):
# gofmt, go vet and staticcheck; the race detector over the core and the
# conformance suite; every Go test, with the store tests on SQLite and a real
# PostgreSQL; the OpenAPI contract test over httpapi's recorded exchanges;
# the browser tests of the UI in headless Chromium; the official WorkOS Node
# SDK against the WorkOS-compatible API; and the Standard Webhooks reference
# verifiers.
#
# Postgres: when ORGS_TEST_POSTGRES_URL is set it is used as is; otherwise a
# throwaway PostgreSQL 15 cluster is started on 127.0.0.1 (installed with apt
# when missing and we are root), and removed on exit. Chromium comes from
# Debian's packages (installed with apt when missing and we are root), the
# Node packages from package-lock.json files (npm ci). Under CI=true nothing
# that needs Postgres, Node or a browser may be skipped: a missing one fails.
#
#   scripts/test.sh                              # the full check (what CI runs)
#   scripts/test.sh ./store/sqlite/ -v -run X    # just `go test ARGS` (root module) against the cluster
#   scripts/test.sh ./internal/bench/ -run '^$' -bench .   # the benchmarks (internal/bench), both backends
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
# staticcheck, pinned (2026.2.2 is module version v0.8.2), installed into
# .tools/bin of the checkout.
STATICCHECK_VERSION=v0.8.2
install_tools() {
	export GOBIN="$PWD/.tools/bin"
	if [[ ! -x "$GOBIN/staticcheck" ]] || ! "$GOBIN/staticcheck" -version 2>/dev/null | grep -q "${STATICCHECK_VERSION#v}"; then
		echo "test.sh: installing staticcheck $STATICCHECK_VERSION" >&2
		go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
	fi
	unset GOBIN
}

# need_browser installs Chromium (and npm) from Debian's packages when
# missing; without them and not root it fails under CI=true, else skips.
need_browser() {
	if [[ -x /usr/bin/chromium && -n "$(command -v npm)" ]]; then
		return 0
	fi
	if [[ $(id -u) -eq 0 ]]; then
		echo "test.sh: installing Chromium (and npm) from Debian's packages" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq chromium npm >/dev/null
		return 0
	fi
	if [[ "${CI:-}" == "true" ]]; then
		echo "test.sh: Chromium or npm missing and not root: the browser tests cannot run" >&2
		exit 1
	fi
	echo "test.sh: Chromium or npm missing and not root: SKIPPING the browser tests" >&2
	return 1
}

# Background jobs: started with bg NAME CMD…, each in its own process group
# with its log in a temporary file; finish waits for all, prints each log
# under a header, and fails if any failed.
declare -A JOB_PID JOB_LOG
bg() {
	local name=$1
	shift
	JOB_LOG[$name]=$(mktemp /tmp/orgs-test-"$name".XXXXXX)
	setsid bash -c "$*" >"${JOB_LOG[$name]}" 2>&1 &
	JOB_PID[$name]=$!
	echo "test.sh: $name started in the background" >&2
}

stop_jobs() {
	local rc=$?
	set +e
	for name in "${!JOB_PID[@]}"; do
		kill -- -"${JOB_PID[$name]}" 2>/dev/null
	done
	(exit "$rc")
	stop_postgres
}

finish() {
	local failed=()
	for name in "${!JOB_PID[@]}"; do
		local rc=0
		wait "${JOB_PID[$name]}" || rc=$?
		echo "== $name (background, exit $rc)" >&2
		cat "${JOB_LOG[$name]}"
		rm -f "${JOB_LOG[$name]}"
		if [[ $rc -ne 0 ]]; then
			failed+=("$name")
		fi
	done
	JOB_PID=()
	if [[ ${#failed[@]} -gt 0 ]]; then
		echo "test.sh: FAILED: ${failed[*]}" >&2
		return 1
	fi
}

if [[ -z "${ORGS_TEST_POSTGRES_URL:-}" ]]; then
	start_postgres
fi

if [[ $# -gt 0 ]]; then
	go test "$@"
	exit
fi

trap stop_jobs EXIT
MODULES=(. examples e2e)

echo "== gofmt -l" >&2
unformatted=$(gofmt -l .)
if [[ -n "$unformatted" ]]; then
	echo "test.sh: not gofmt-ed:" >&2
	echo "$unformatted" >&2
	exit 1
fi

install_tools
for m in "${MODULES[@]}"; do
	echo "== ($m) go vet ./... && staticcheck ./..." >&2
	(cd "$m" && go vet ./... && "$OLDPWD/.tools/bin/staticcheck" ./...)
done

# Node packages for the e2e module: axe-core, the WorkOS SDK, the Standard
# Webhooks verifier.
for d in e2e e2e/workos-sdk e2e/webhooks-node; do
	(cd "$d" && npm ci --no-audit --no-fund --loglevel=error)
done

if need_browser; then
	bg browser-tests 'cd e2e && exec go test -count=1 ./uitest/...'
fi

# The conformance suite has no tests of its own: it runs under -race through
# the in-memory store (fast) here, and through SQLite and Postgres below.
echo "== go test -race . ./memstore/ ./storetest/..." >&2
go test -race -count=1 . ./memstore/ ./storetest/...

# httpapi's tests record every exchange for the OpenAPI contract test.
export ORGS_HTTP_TRANSCRIPT
ORGS_HTTP_TRANSCRIPT=$(mktemp /tmp/orgs-http-transcript.XXXXXX)
echo "== go test ./..." >&2
go test -count=1 ./...
echo "== (examples) go test ./..." >&2
(cd examples && go test -count=1 ./...)
echo "== (e2e) go test ./... but the browser tests" >&2
(cd e2e && go test -count=1 $(go list ./... | grep -v /uitest))
rm -f "$ORGS_HTTP_TRANSCRIPT"

finish
cat e2e/artifacts/ui/axe-summary.txt 2>/dev/null || true
echo "test.sh: UI screenshots and axe reports in $PWD/e2e/artifacts/ui" >&2
