# supportd — build, run and test.
#
#   make run    build supportd and answer questions on the demo FAQ
#   make test   everything CI checks: formatting, vet, tests with the race detector,
#               against a real PostgreSQL (DATABASE_URL, or a throwaway cluster) and a
#               real headless Chromium with axe-core; installs them (Debian's packages,
#               npm's axe-core) if missing

GO ?= go
BIN := bin/supportd

.PHONY: build run test deps fmt-check vet unit fuzz bench bench-chat eval thesaurus

build:
	$(GO) build -o $(BIN) ./cmd/supportd

run: build
	./$(BIN) serve

test: fmt-check vet deps unit

# deps makes sure the real services the tests use are installed.
deps:
	@.ci/ensure-postgres
	@.ci/ensure-chromium
	@.ci/ensure-axe
	@.ci/ensure-nginx

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

# fuzz runs each fuzz target for a while; the seed corpora in testdata/
# also run as plain tests in `make test`.
FUZZTIME ?= 60s
fuzz:
	$(GO) test ./kb -run XXX -fuzz FuzzParseArticle -fuzztime $(FUZZTIME)
	$(GO) test ./kb -run XXX -fuzz FuzzBodyWithLinks -fuzztime $(FUZZTIME)
	$(GO) test ./chat -run XXX -fuzz FuzzDecodeClientFrame -fuzztime $(FUZZTIME)

# bench prints the figures recorded in docs/benchmarks.md.
bench:
	$(GO) test ./kb -run XXX -bench . -benchtime 3s

# bench-chat holds 10,000 sockets, 500 of them chatting, against the bare echo server,
# supportd on the embedded store and on PostgreSQL, interleaved, 5 runs each (about 12
# minutes), and prints the medians and the ratios to the echo server (docs/benchmarks.md).
bench-chat:
	CONNS=$${CONNS:-10000} cmd/loadgen/bench-ab.sh echo offline postgres

# eval scores the assistant on the shared evaluation set.
eval: build
	./$(BIN) kb eval --kb ../shared/eval/kb --cases ../shared/eval/cases.jsonl

# thesaurus makes kb/thesaurus_fr.txt.gz again from Debian's mythes-fr
# package (kb/thesaurus_fr.LICENSE): each single-word entry with the
# single-word synonyms of all its meanings.
MYTHES_FR ?= /usr/share/mythes/thes_fr.dat
thesaurus:
	@test -r $(MYTHES_FR) || { echo "thesaurus: $(MYTHES_FR) is missing: apt-get install mythes-fr"; exit 1; }
	awk -F'|' ' \
		NR == 1 { next } \
		/^\(/ { if (head == "") next; \
			for (i = 2; i <= NF; i++) { s = $$i; if (s ~ / / || s == "") continue; \
				if (!((head, s) in seen)) { seen[head, s] = 1; syn[head] = syn[head] "|" s } } \
			next } \
		{ head = $$1; if (head ~ / /) head = "" } \
		END { for (h in syn) print h syn[h] }' $(MYTHES_FR) | LC_ALL=C sort | gzip -9n > kb/thesaurus_fr.txt.gz
