#!/usr/bin/env bash
# bench-llm.sh: what the language-model path costs, beside the offline one.
# Runs 500 chatting customers (one question a second each, for 30 s) against
# a fresh supportd on the embedded store, RUNS times each way, interleaved:
# offline, then with a fake model that answers every question in a fixed
# LATENCY (loadgen -fake-model). Prints each run's answer latency and the
# medians of the p50 and p99, and the p99's difference.
#
#   cmd/loadgen/bench-llm.sh            # RUNS=5 LATENCY=300ms CHATTERS=500 DURATION=30s
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5} LATENCY=${LATENCY:-300ms} CHATTERS=${CHATTERS:-500} DURATION=${DURATION:-30s}
PORT=${PORT:-18481} MODEL_PORT=${MODEL_PORT:-18500}
go build -o bin/supportd ./cmd/supportd
go build -o bin/loadgen ./cmd/loadgen
work=$(mktemp -d)
bin/loadgen -fake-model 127.0.0.1:$MODEL_PORT -fake-model-latency "$LATENCY" >"$work/model.log" 2>&1 &
model=$!
trap 'kill $model 2>/dev/null || true; rm -rf "$work"' EXIT

run() { # run MODE N: one fresh server, one load, its "p50 p99" on stdout
	local mode=$1 n=$2 args=() pid out
	if [ "$mode" = llm ]; then
		args=(--llm-model fake-model --llm-timeout 8s)
	fi
	OPENAI_BASE_URL=http://127.0.0.1:$MODEL_PORT/v1 OPENAI_API_KEY=bench \
		bin/supportd serve --addr 127.0.0.1:$PORT --data "$work/data-$mode-$n" --conn-per-minute -1 --log-level warn "${args[@]}" \
		>"$work/server-$mode-$n.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
	out=$(bin/loadgen -url ws://127.0.0.1:$PORT/ws -conns "$CHATTERS" -chatters "$CHATTERS" -interval 1s -duration "$DURATION" -pid $pid)
	kill $pid; wait $pid 2>/dev/null || true
	echo "$out" | sed -n 's/^answer latency: p50 \([^ ]*\) .* p99 \([^ ]*\) .*/\1 \2/p'
	echo "$mode run $n: $(echo "$out" | grep -E '^(answers|answer latency)' | tr '\n' ' ')" >&2
}

ms() { # a Go duration in milliseconds
	awk -v d="$1" 'BEGIN { if (d ~ /µs$/) { sub(/µs$/, "", d); print d/1000 } else if (d ~ /ms$/) { sub(/ms$/, "", d); print d+0 } else { sub(/s$/, "", d); print d*1000 } }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'; }

: >"$work/offline" ; : >"$work/llm"
for n in $(seq "$RUNS"); do
	for mode in offline llm; do
		read -r p50 p99 < <(run $mode "$n")
		echo "$(ms "$p50") $(ms "$p99")" >>"$work/$mode"
	done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in offline llm; do
	echo "$mode: p50 runs $(cut -d' ' -f1 "$work/$mode" | tr '\n' ' ')ms, median $(cut -d' ' -f1 "$work/$mode" | median) ms;" \
		"p99 runs $(cut -d' ' -f2 "$work/$mode" | tr '\n' ' ')ms, median $(cut -d' ' -f2 "$work/$mode" | median) ms"
done
off=$(cut -d' ' -f2 "$work/offline" | median); llm=$(cut -d' ' -f2 "$work/llm" | median)
echo "p99 with the model minus offline: $(awk -v a="$llm" -v b="$off" 'BEGIN { print a - b }') ms (bar: at most 300 ms, the model itself taking $LATENCY)"
