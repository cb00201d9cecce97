#!/usr/bin/env python3
"""The programs' help and the README agree (issue 18).

usage: check_help_readme.py README.md NYM [NYMSTUDIO]

- Every `nym` command the program lists has a synopsis in the README's "Command line" block, and the other way round.
- For each command, the options in `nym COMMAND --help` and those in its README synopsis are the same set.
- Every option `nymstudio --help` prints (Qt's own --help-all aside) is named in the README.
Prints each disagreement and exits 1 when there is any.
"""
import os
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def readme_synopses(readme):
    text = open(readme, encoding="utf-8").read()
    start = text.index("### Command line")
    block = text[start:].split("```sh", 1)[1].split("```", 1)[0]
    synopses, current = {}, None
    for line in block.splitlines():
        if line.startswith("nym --"):
            current = None
            continue
        m = re.match(r"nym ([a-z][a-z-]*)\b", line)
        if m:
            current = m.group(1)
            synopses.setdefault(current, set())
        if current:
            synopses[current] |= set(OPTION.findall(line))
    return text, synopses


def help_options(text):
    opts = set()
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("-"):
            continue
        head = re.split(r"\s{2,}", line, maxsplit=1)[0]   # the option column, not its description
        opts |= set(OPTION.findall(head))
    return opts - {"--help", "--help-all"}


def main():
    readme, nym = sys.argv[1], sys.argv[2]
    studio = sys.argv[3] if len(sys.argv) > 3 else None
    text, synopses = readme_synopses(readme)
    problems = []

    top = run([nym, "--help"])
    commands = re.findall(r"^  ([a-z-]+)\s{2,}", top.split("Subcommands:", 1)[1], re.M)
    for c in sorted(set(commands) ^ set(synopses)):
        where = "the README's synopsis" if c in commands else "nym --help"
        problems.append(f"nym {c}: missing from {where}")
    for c in commands:
        if c not in synopses:
            continue
        have = help_options(run([nym, c, "--help"]))
        for o in sorted(have - synopses[c]):
            problems.append(f"nym {c} {o}: in --help, not in the README's synopsis")
        for o in sorted(synopses[c] - have):
            problems.append(f"nym {c} {o}: in the README's synopsis, not in --help")

    if studio:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        for o in sorted(help_options(run([studio, "--help"], env)) - {"--version"}):
            if o not in text:
                problems.append(f"nymstudio {o}: in --help, not in the README")

    for p in problems:
        print(p)
    print(f"checked {len(commands)} nym commands" + (" and nymstudio" if studio else "") + f": {len(problems)} disagreements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
