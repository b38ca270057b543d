# bench-lib.sh: what the benchmark scripts of cmd/loadgen share; sourced,
# not run.

ms() { # a Go duration in milliseconds
	awk -v d="$1" 'BEGIN { if (d ~ /µs$/) { sub(/µs$/, "", d); print d/1000 } else if (d ~ /ms$/) { sub(/ms$/, "", d); print d+0 } else { sub(/s$/, "", d); print d*1000 } }'
}

median() { # the median of the numbers on standard input, one a line
	sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'
}
