#!/usr/bin/env bash
# `nginx -t` on deploy/nginx.conf as shipped, with only its scratch paths (pid,
# logs, temp folders) moved to a temporary folder so no root rights are needed.
set -euo pipefail
cd "$(dirname "$0")/.."
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/logs" "$scratch/body" "$scratch/proxy"
sed -e "s#/run/devinterview-nginx.pid#$scratch/nginx.pid#" \
    -e "s#/var/log/nginx/#$scratch/logs/#g" \
    -e "s#/var/lib/nginx/#$scratch/#g" \
    deploy/nginx.conf > "$scratch/nginx.conf"
"$NGINX" -t -q -p "$scratch" -e "$scratch/logs/error.log" -c "$scratch/nginx.conf"
echo "deploy/nginx.conf: nginx -t passed"
