#!/usr/bin/env bash
# bench-ab.sh WAY...: ways of running a chat server, side by side. Runs 500
# chatting customers (one question a second each, for 30 s) against a fresh
# server each run, RUNS times each way, interleaved (A, B, A, B...), and
# prints each run's answer latency (CONNS sockets held, CHATTERS of them chatting), the medians of the p50 and p99 of each
# way, and each way's median p99 beside the first's (difference, ratio);
# then each way's server CPU per answer, idle memory per socket and RSS
# under chat against RSS idle (and the same for the anonymous memory alone,
# without the pages of mapped files such as the embedded store's), and the
# share of a core the load generator itself took, medians of the runs.
# Before and after the runs it times the disk the data folders are on
# (loadgen -disk-probe), on which the embedded store's tail depends.
#
# The ways:
#   echo     a bare websocket echo server (loadgen -echo): the floor
#   offline  supportd as it comes on the embedded store, no language model,
#            no metrics
#   postgres the same on PostgreSQL, a fresh database each run (created
#            through PG_ADMIN, default postgres://postgres@127.0.0.1:5432/postgres)
#   llm      with a fake language model (loadgen -fake-model, started afresh
#            each run) answering every question in a fixed LATENCY
#   metrics  with /metrics served (SUPPORTD_METRICS_TOKEN) and scraped every
#            SCRAPE (default 15s, Prometheus's usual interval)
#   limit    offline with a soft memory limit of LIMIT (default 350MiB,
#            serve --memory-limit)
#   base     offline, with the supportd binary BASE_BIN instead of the one
#            built from this tree: a change against the code before it
#
#   cmd/loadgen/bench-ab.sh offline llm       # RUNS=5 LATENCY=300ms CHATTERS=500 DURATION=30s
#   cmd/loadgen/bench-ab.sh offline metrics
#   cmd/loadgen/bench-ab.sh echo offline postgres   # make bench-chat
#   git worktree add /tmp/before HEAD~3 && (cd /tmp/before && go build -o /tmp/before.bin ./cmd/supportd)
#   BASE_BIN=/tmp/before.bin CHATTERS=3000 CONNS=10000 cmd/loadgen/bench-ab.sh base offline
set -euo pipefail
cd "$(dirname "$0")/../.."
WAYS=("$@")
[ ${#WAYS[@]} -ge 2 ] || { echo "usage: bench-ab.sh WAY WAY... (echo, offline, postgres, llm, metrics, limit, base)" >&2; exit 2; }
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
RUNS=${RUNS:-5} SCRAPE=${SCRAPE:-15} LATENCY=${LATENCY:-300ms} CHATTERS=${CHATTERS:-500} DURATION=${DURATION:-30s}
CONNS=${CONNS:-$CHATTERS} # sockets held, CHATTERS of them chatting
PORT=${PORT:-18481} MODEL_PORT=${MODEL_PORT:-18500}
go build -o bin/supportd ./cmd/supportd
go build -o bin/loadgen ./cmd/loadgen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # run MODE N: one fresh server, one load, its "p50 p99" on stdout
	local mode=$1 n=$2 args=() env=() pid out helper= db= bin=bin/supportd
	case $mode in
	offline) ;;
	base)
		[ -x "${BASE_BIN:-}" ] || { echo "bench-ab: the way base needs BASE_BIN, a supportd binary" >&2; exit 2; }
		bin=$BASE_BIN
		;;
	echo) ;;
	postgres)
		db=bench_$$_$n
		psql -q "$PG_ADMIN" -c "CREATE DATABASE $db" >/dev/null
		args=(--database-url "${PG_ADMIN%/*}/$db?sslmode=disable")
		;;
	llm)
		bin/loadgen -fake-model 127.0.0.1:$MODEL_PORT -fake-model-latency "$LATENCY" >"$work/model-$n.log" 2>&1 &
		helper=$!
		env=(OPENAI_BASE_URL=http://127.0.0.1:$MODEL_PORT/v1 OPENAI_API_KEY=bench)
		args=(--llm-model fake-model --llm-timeout 8s)
		;;
	metrics)
		env=(SUPPORTD_METRICS_TOKEN=bench-token)
		;;
	limit)
		env=(SUPPORTD_MEMORY_LIMIT="${LIMIT:-350MiB}")
		;;
	*) echo "bench-ab: unknown way $mode" >&2; exit 2 ;;
	esac
	if [ "$mode" = echo ]; then
		bin/loadgen -echo 127.0.0.1:$PORT >"$work/server-$mode-$n.log" 2>&1 &
	else
		env "${env[@]}" "$bin" serve --addr 127.0.0.1:$PORT --data "$work/data-$mode-$n" --conn-per-minute -1 --log-level warn "${args[@]}" \
			>"$work/server-$mode-$n.log" 2>&1 &
	fi
	pid=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
	if [ "$mode" = metrics ]; then
		(while kill -0 $pid 2>/dev/null; do curl -s -H 'Authorization: Bearer bench-token' "http://127.0.0.1:$PORT/metrics" >/dev/null; sleep "$SCRAPE"; done) &
		helper=$!
	fi
	out=$(bin/loadgen -url ws://127.0.0.1:$PORT/ws -conns "$CONNS" -chatters "$CHATTERS" -interval 1s -duration "$DURATION" -pid $pid)
	kill $pid; wait $pid 2>/dev/null || true
	if [ -n "$helper" ]; then kill $helper 2>/dev/null || true; wait $helper 2>/dev/null || true; fi
	if [ -n "$db" ]; then psql -q "$PG_ADMIN" -c "DROP DATABASE $db" >/dev/null; fi
	local lat cpu rss anon client
	lat=$(echo "$out" | sed -n 's/^answer latency: p50 \([^ ]*\) .* p99 \([^ ]*\) .*/\1 \2/p')
	cpu=$(echo "$out" | sed -n 's/^server CPU: \([^ ]*\) ms per answer.*/\1/p')
	rss=$(echo "$out" | sed -n 's/^server RSS: .* \([0-9]*\) KiB with .* (\([^ ]*\) KiB per connection), \([0-9]*\) KiB peak.*/\1 \3 \2/p')
	anon=$(echo "$out" | sed -n 's/^server anonymous memory .*: \([0-9]*\) KiB idle, \([0-9]*\) KiB peak.*/\1 \2/p')
	client=$(echo "$out" | sed -n 's/^load generator CPU: .* ms per answer, \([0-9]*\)% of a core.*/\1/p')
	echo "$lat ${cpu:-0} ${rss:-0 0 0} ${anon:-0 0} ${client:-0}"
	echo "$mode run $n: $(echo "$out" | grep -E '^(answers|answer latency|server|load generator)' | tr '\n' ' ')" >&2
}

# shellcheck source=cmd/loadgen/bench-lib.sh
. cmd/loadgen/bench-lib.sh

: >"$work/load"
disk_before=$(bin/loadgen -disk-probe "$work")
for mode in "${WAYS[@]}"; do : >"$work/$mode"; done
for n in $(seq "$RUNS"); do
	for mode in "${WAYS[@]}"; do
		read -r p50 p99 cpu idle peak per anon_idle anon_peak client < <(run "$mode" "$n")
		echo "$(ms "$p50") $(ms "$p99") $cpu $idle $peak $per $anon_idle $anon_peak $client" >>"$work/$mode"
		cut -d' ' -f1 /proc/loadavg >>"$work/load"
	done
done
echo "load average (1 min) after each run: $(tr '\n' ' ' <"$work/load")"
echo "$disk_before, before the runs"
echo "$(bin/loadgen -disk-probe "$work"), after the runs"
first=${WAYS[0]}
a=$(cut -d' ' -f2 "$work/$first" | median)
for mode in "${WAYS[@]}"; do
	b=$(cut -d' ' -f2 "$work/$mode" | median)
	echo "$mode: p50 runs $(cut -d' ' -f1 "$work/$mode" | tr '\n' ' ')ms, median $(cut -d' ' -f1 "$work/$mode" | median) ms;" \
		"p99 runs $(cut -d' ' -f2 "$work/$mode" | tr '\n' ' ')ms, median $b ms" \
		"($(awk -v a="$a" -v b="$b" 'BEGIN { printf "%+.2f ms, ×%.2f", b - a, b / a }') against $first)"
	echo "$mode: server CPU per answer runs $(cut -d' ' -f3 "$work/$mode" | tr '\n' ' ')ms, median $(cut -d' ' -f3 "$work/$mode" | median) ms;" \
		"idle memory per socket median $(cut -d' ' -f6 "$work/$mode" | median) KiB;" \
		"RSS peak under chat / RSS idle, runs $(awk '{ printf "%.2f ", ($4 > 0) ? $5 / $4 : 0 }' "$work/$mode")median $(awk '{ print ($4 > 0) ? $5 / $4 : 0 }' "$work/$mode" | median);" \
		"the same without mapped files (RssAnon), median $(awk '{ print ($7 > 0) ? $8 / $7 : 0 }' "$work/$mode" | median);" \
		"the load generator's own CPU, median $(cut -d' ' -f9 "$work/$mode" | median)% of a core"
done
