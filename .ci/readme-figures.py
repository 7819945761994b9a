#!/usr/bin/env python3
"""Runs the commands whose output the README quotes and fails when a quoted figure drifts.

A README block to check is an HTML comment naming the command, then a fenced block with what
the command prints (its standard output and error, in order):

    <!-- figures: gazmap import boundaries ... -->
    ```
    gazmap: 398 places ... alternate names merged for 379 of 398
    ```

`gazmap` is the binary given as the first argument; `../shared` paths are checked only where
that folder exists (a checkout without it skips those blocks and says so). Every line of the
block must appear in the command's output, in order.
"""
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def blocks(readme):
    pattern = re.compile(r"<!-- figures: ([^\n]+?) -->\n[ \t]*```[a-z]*\n(.*?)\n[ \t]*```", re.S)
    return [(m.group(1).strip(), m.group(2)) for m in pattern.finditer(readme)]


def main():
    gazmap = os.path.abspath(sys.argv[1])
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        found = blocks(f.read())
    if not found:
        sys.exit("readme-figures: no <!-- figures: --> block in README.md")
    failed = 0
    for command, expected in found:
        if "../shared" in command and not os.path.isdir(os.path.join(ROOT, "..", "shared")):
            print(f"skipped (no ../shared): {command}")
            continue
        argv = shlex.split(command)
        if argv[0] == "gazmap":
            argv[0] = gazmap
        run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
        output = (run.stdout + run.stderr).splitlines()
        at = 0
        for line in (l.strip() for l in expected.splitlines()):
            while at < len(output) and output[at].strip() != line:
                at += 1
            if at == len(output):
                print(f"DRIFT: {command}\n  README says: {line}\n  command printed:")
                print("\n".join("    " + o for o in output[:40]))
                failed += 1
                break
            at += 1
        else:
            print(f"ok: {command}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
