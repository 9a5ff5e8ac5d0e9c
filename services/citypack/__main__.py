"""`python -m services.citypack check DIR`: every problem of a city pack, one line each; exit 1 if any."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.citypack.pack import check_pack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.citypack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check a city pack folder")
    check.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    problems = check_pack(args.folder)
    if problems:
        sys.stderr.write("".join(f"{line}\n" for line in problems))
        sys.stderr.write(f"{args.folder}: {len(problems)} problem(s)\n")
        return 1
    sys.stdout.write(f"{args.folder}: ok\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
