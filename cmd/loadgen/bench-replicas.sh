#!/usr/bin/env bash
# bench-replicas.sh [WAY...]: the agent ↔ customer relay with one supportd
# process on PostgreSQL (way 1) and with three on the same database (way
# 3), or one on the embedded store (way embedded), interleaved, RUNS times
# each (default 5), a fresh database or data folder each run; the ways
# default to 1 and 3. AGENTS agents
# (default 50, capacity 40 each) and CONNS customers (default 2,000) are
# spread over the processes (loadgen -agents with several -url): with
# three, most messages cross from one process to another through
# PostgreSQL's NOTIFY. Prints each run's relay figures, then the medians
# of the agent → customer p99 and their ratio.
#
#   cmd/loadgen/bench-replicas.sh            # RUNS=5 AGENTS=50 CONNS=2000 DURATION=30s
#   cmd/loadgen/bench-replicas.sh embedded   # the one-process figure on the embedded store
set -euo pipefail
cd "$(dirname "$0")/../.."
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
WAYS=("$@")
[ ${#WAYS[@]} -gt 0 ] || WAYS=(1 3)
RUNS=${RUNS:-5} AGENTS=${AGENTS:-50} CONNS=${CONNS:-2000} DURATION=${DURATION:-30s} PORT=${PORT:-18481}
export LOADGEN_AGENT_PASSWORD=loadgen-password-123
go build -o bin/supportd ./cmd/supportd
go build -o bin/loadgen ./cmd/loadgen
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
cat >"$work/always-open.yaml" <<'HOURS'
weekly:
  monday: ["00:00-24:00"]
  tuesday: ["00:00-24:00"]
  wednesday: ["00:00-24:00"]
  thursday: ["00:00-24:00"]
  friday: ["00:00-24:00"]
  saturday: ["00:00-24:00"]
  sunday: ["00:00-24:00"]
french_holidays: false
HOURS

run() { # run WAY N: a fresh store, the servers, one load; "p99 to-customer, p99 to-agent" on stdout
	local way=$1 n=$2 procs=$1 db=bench_replicas_$$_${n}_$1 urls=() out store=()
	if [ "$way" = embedded ]; then
		procs=1
		store=(--data "$work/data-$n-embedded" --database-url=)
	else
		psql -q "$PG_ADMIN" -c "CREATE DATABASE $db" >/dev/null
		store=(--database-url "${PG_ADMIN%/*}/$db?sslmode=disable")
	fi
	for i in $(seq 1 "$AGENTS"); do
		echo "$LOADGEN_AGENT_PASSWORD" | bin/supportd agent add "loadagent$i" --capacity 40 "${store[@]}" >/dev/null
	done
	pids=()
	for p in $(seq 0 $((procs - 1))); do
		bin/supportd serve --addr 127.0.0.1:$((PORT + p)) --data "$work/data-$n-$p" "${store[@]}" --conn-per-minute -1 \
			--assign round-robin --hours "$work/always-open.yaml" --log-level warn >"$work/server-$way-$n-$p.log" 2>&1 &
		pids+=($!)
		urls+=("ws://127.0.0.1:$((PORT + p))/ws")
	done
	for p in $(seq 0 $((procs - 1))); do
		for _ in $(seq 200); do curl -sf "http://127.0.0.1:$((PORT + p))/readyz" >/dev/null && break; sleep 0.1; done
	done
	out=$(IFS=,; bin/loadgen -url "${urls[*]}" -agents "$AGENTS" -conns "$CONNS" -agent-interval 10s -customer-interval 10s -duration "$DURATION")
	kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
	pids=()
	[ "$way" = embedded ] || psql -q "$PG_ADMIN" -c "DROP DATABASE $db" >/dev/null
	echo "$way, run $n: $(echo "$out" | grep -E 'relay:|customers:|errors:' | tr '\n' ' ')" >&2
	echo "$(echo "$out" | sed -n 's/^agent → customer relay:.* p99 \([^ ]*\) .*/\1/p') $(echo "$out" | sed -n 's/^customer → agent relay:.* p99 \([^ ]*\) .*/\1/p')"
}

# shellcheck source=cmd/loadgen/bench-lib.sh
. cmd/loadgen/bench-lib.sh

: >"$work/load"
for way in "${WAYS[@]}"; do : >"$work/$way"; done
for n in $(seq "$RUNS"); do
	for way in "${WAYS[@]}"; do
		read -r toc toa < <(run "$way" "$n")
		echo "$(ms "$toc") $(ms "$toa")" >>"$work/$way"
		cut -d' ' -f1 /proc/loadavg >>"$work/load"
	done
done
echo "load average (1 min) after each run: $(tr '\n' ' ' <"$work/load")"
first=$(cut -d' ' -f1 "$work/${WAYS[0]}" | median)
for way in "${WAYS[@]}"; do
	m=$(cut -d' ' -f1 "$work/$way" | median)
	echo "$way: agent → customer p99 runs $(cut -d' ' -f1 "$work/$way" | tr '\n' ' ')ms, median $m ms" \
		"($(awk -v a="$first" -v b="$m" 'BEGIN { printf "×%.2f", b / a }') against ${WAYS[0]}); customer → agent p99 median $(cut -d' ' -f2 "$work/$way" | median) ms"
done
