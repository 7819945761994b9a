#!/usr/bin/env python3
"""Runs every README example that types `gazmap` as shown and fails on a non-zero exit.

    .ci/check-readme-examples.py target/debug/gazmap

The examples are the command lines of the README's ```sh, ```bash and ```console blocks (in a
console block, the lines after `$ `) that run `gazmap` first or after `&&`; plain ``` blocks
are the synopsis and quoted output, not commands. Each runs as typed, in order, with `bash -o
pipefail`, from a scratch folder that holds what a fresh clone puts where the README's paths
point (`examples/`), with `gazmap` on the PATH (the folder of the binary given: the README's
first command installs it) and HOME in the scratch folder, so `~` in an example writes nothing
of the user's. The first command's `cargo install --locked --path . &&` is what that PATH
stands for: the rest of its line runs.

An example is skipped only when it needs what a clone does not hold; SKIP below names each
with the reason, and an example listed there that the README no longer has is an error, so
the list cannot go stale.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# the start of an example's command line -> why it cannot run from a fresh clone
SKIP = {
    "gazmap import geonames cities500.txt": "cities500.txt is a GeoNames download the user supplies",
    "gazmap index build cities500.csv": "needs cities500.csv, made from the GeoNames download above",
    "gazmap --gazetteer cities500.gzi resolve": "needs cities500.gzi, made from the GeoNames download above",
    "gazmap import boundaries ADM1.geojson": "ADM1.geojson is a geoBoundaries download the user supplies",
    "gazmap import boundaries ADM2.geojson": "ADM1/ADM2.geojson are geoBoundaries downloads the user supplies",
    "gazmap --gazetteer provinces.csv --gazetteer districts.csv export events.csv": (
        "needs the two CSVs made from those downloads, and the user's events.csv"
    ),
    "gazmap serve": "a server runs until stopped (tests/serve.rs runs it); and it names cities500.gzi",
}

INSTALL = re.compile(r"^cargo install [^&]*&&\s*")
RUNS_GAZMAP = re.compile(r"(^|&&\s*)gazmap\s")


def examples(readme):
    """The example command lines, in README order, with their line numbers."""
    out = []
    lang = None
    pending = None  # a command continued with a trailing backslash
    for number, line in enumerate(readme.splitlines(), 1):
        fence = re.match(r"^\s*```(\w*)", line)
        if fence:
            lang = None if lang is not None else fence.group(1)
            continue
        if lang not in ("sh", "bash", "console"):
            continue
        text = line.strip()
        if pending is not None:
            pending = (pending[0], pending[1] + " " + text.rstrip("\\").strip())
            if not text.endswith("\\"):
                out.append(pending)
                pending = None
            continue
        if lang == "console":
            if not text.startswith("$ "):
                continue
            text = text[2:]
        if not text or text.startswith("#"):
            continue
        if text.endswith("\\"):
            pending = (number, text.rstrip("\\").strip())
            continue
        out.append((number, text))
    return [(n, INSTALL.sub("", c)) for n, c in out if RUNS_GAZMAP.search(c)]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check-readme-examples.py GAZMAP_BINARY")
    binary = os.path.abspath(sys.argv[1])
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        found = examples(f.read())
    if not found:
        sys.exit("README.md: no gazmap example found (has the README's layout changed?)")
    scratch = tempfile.mkdtemp(prefix="gazmap-readme-")
    failures = 0
    try:
        # a fresh clone's examples/ (only what git tracks), and gazmap on the PATH
        tracked = subprocess.run(
            ["git", "ls-files", "-z", "examples"], cwd=ROOT, check=True, capture_output=True
        ).stdout.decode().split("\0")
        for path in filter(None, tracked):
            os.makedirs(os.path.join(scratch, os.path.dirname(path)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, path), os.path.join(scratch, path))
        bindir = os.path.join(scratch, ".bin")
        os.makedirs(bindir)
        os.symlink(binary, os.path.join(bindir, "gazmap"))
        home = os.path.join(scratch, ".home")
        os.makedirs(home)
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"], HOME=home)
        env.pop("XDG_DATA_HOME", None)
        used = set()
        for number, command in found:
            reason = next((r for start, r in SKIP.items() if command.startswith(start)), None)
            if reason:
                used.update(s for s in SKIP if command.startswith(s))
                print(f"skip README.md:{number}: {command}\n     ({reason})")
                continue
            run = subprocess.run(
                ["bash", "-o", "pipefail", "-c", command],
                cwd=scratch,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=120,
            )
            if run.returncode != 0:
                failures += 1
                err = run.stderr.decode(errors="replace").strip()
                print(f"FAIL README.md:{number}: {command}\n     exit {run.returncode}: {err}")
            else:
                print(f"ok   README.md:{number}: {command}")
        for start in sorted(set(SKIP) - used):
            failures += 1
            print(f"FAIL: SKIP lists `{start}`, which no README example starts with any more")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        sys.exit(f"{failures} README example(s) failed")
    print(f"{len(found)} README examples: all that a clone can run ran")


if __name__ == "__main__":
    main()
