# phananh — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/phananh
PKGS    := ./...

.PHONY: all build run test test-deps webui-assets vet fmt-check bench bench-stats clean

all: build

## build: compile bin/phananh (front-end assets from npm are embedded)
build: webui-assets
	$(GO) build -trimpath -o $(BIN) ./cmd/phananh

## run: build and start the server on the embedded SQLite store with demo data
run: build
	./$(BIN) serve --demo

## webui-assets: install npm packages and copy the files the pages embed
webui-assets:
	@if [ -f webui/package.json ]; then $(MAKE) -C webui assets; fi

## test-deps: install what the tests need on a fresh machine (Debian packages)
test-deps:
	bash scripts/test-deps.sh

## test: everything CI runs
test: test-deps webui-assets fmt-check vet
	$(GO) mod verify
	$(GO) test -race -count=1 -timeout 40m $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## bench: the benchmarks whose figures are in the README (about 2 minutes;
## bench-stats seeds 1,000,000 reports first and takes much longer)
BENCH_DATA ?= /tmp/phananh-bench-1m
bench: build
	./$(BIN) bench intake
	./$(BIN) bench classify
	./$(BIN) bench live

bench-stats: build
	@[ -f $(BENCH_DATA)/phananh.db ] || ./$(BIN) bench seed --reports 1000000 --data $(BENCH_DATA)
	./$(BIN) bench stats --data $(BENCH_DATA)

clean:
	rm -rf bin
