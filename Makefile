# supportd — build, run and test.
#
#   make run    build supportd and answer questions on the demo FAQ
#   make test   everything CI checks: formatting, vet, tests with the race detector

GO ?= go
BIN := bin/supportd

.PHONY: build run test fmt-check vet unit fuzz bench eval

build:
	$(GO) build -o $(BIN) ./cmd/supportd

run: build
	./$(BIN) ask

test: fmt-check vet unit

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

# bench prints the figures recorded in docs/benchmarks.md.
bench:
	$(GO) test ./kb -run XXX -bench . -benchtime 3s

# eval scores the assistant on the shared evaluation set.
eval: build
	./$(BIN) kb eval --kb ../shared/eval/kb --cases ../shared/eval/cases.jsonl
