"""`handmlp verify`: run the course's equations against PyTorch and report them.

The checks live in the separate `reference` package (the torch side), imported only when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

FORMATS = ("text", "json", "markdown", "junit", "html")


def add_parser(commands: Any) -> None:
    """Register `handmlp verify` on the subcommand parsers."""
    verify = commands.add_parser(
        "verify",
        help="check every equation of the course against torch and print a conformance report",
        description="Run the catalog of course equations (COURSE.md C1–C17, errata E1–E5) on both sides.",
    )
    verify.add_argument("pattern", nargs="?", default=None, help="run only cases whose id matches this regex")
    verify.add_argument("-k", dest="pattern_k", default=None, help="same as PATTERN (pytest style)")
    verify.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    verify.add_argument(
        "--output", "-o", default=None, help="write the report to this file instead of stdout"
    )
    verify.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    verify.add_argument("--list", action="store_true", help="list the case ids and exit")
    verify.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the selected cases; the exit status is 0 only if every case passed."""
    try:
        from reference.conformance import catalog
        from reference.conformance import report as verify
    except ImportError as exc:  # reference ships with handmlp; this means a broken install
        print(f"handmlp verify: cannot import the reference package ({exc})", file=sys.stderr)
        return 2
    pattern = args.pattern_k or args.pattern
    if args.list:
        for case in catalog.select(pattern):
            print(f"{case.id}\t{case.equation}")
        return 0
    if not catalog.select(pattern):
        print(f"handmlp verify: no case id matches {pattern!r}", file=sys.stderr)
        return 2
    if verify.torch_version() is None:
        print(
            f"handmlp verify: {verify.TORCH_HINT}; running the cases that need only handmlp", file=sys.stderr
        )

    def show(result: verify.CaseResult, index: int, total: int) -> None:
        print(verify.progress_line(result, index, total), file=sys.stderr, flush=True)

    report = verify.run(pattern, progress=None if args.quiet else show)
    text = verify.render(report, args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"{report.summary()}; report written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0 if report.ok else 1
