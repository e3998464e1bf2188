"""`handmlp verify`: run the course's equations against PyTorch and report them.

The checks live in the separate `reference` package (the torch side), imported only when the command runs.
Every mistake in the command line (an unknown id, a bad `-k` expression, an `-o` that cannot be written) is
found before the first case runs and reported as one line on stderr with exit status 2. Exit status 0
means every selected case passed (skipped cases count only with `--allow-skip`); 1 means a case failed or
raised, or cases were skipped without `--allow-skip`.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

FORMATS = ("text", "json", "markdown", "junit", "html")


def add_parser(commands: Any) -> None:
    """Register `handmlp verify` on the subcommand parsers."""
    verify = commands.add_parser(
        "verify",
        help="check every equation of the course against torch and print a conformance report",
        description="Run the catalog of course equations (C1–C17, errata E1–E5; docs/equations.md maps "
        "them) on both sides. Exit status: 0 every case passed, 1 a case failed or was skipped "
        "(without --allow-skip), 2 a mistake in the command line.",
    )
    verify.add_argument(
        "ids",
        nargs="*",
        metavar="ID",
        help="run only these cases: a whole case id (C9/dL_dw1) or a course id (C1 selects C1/…, not C10/…)",
    )
    verify.add_argument(
        "-k",
        dest="expression",
        metavar="REGEX",
        default=None,
        help="run only cases whose id contains a match of this regular expression (e.g. -k 'dw[12]$')",
    )
    verify.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="report format (default: text); html draws its plots with matplotlib and, without it, says "
        "so and leaves them out",
    )
    verify.add_argument(
        "--output", "-o", metavar="FILE", default=None, help="write the report to FILE instead of stdout"
    )
    verify.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    verify.add_argument("--list", action="store_true", help="list the selected case ids and exit")
    verify.add_argument(
        "--allow-skip",
        action="store_true",
        help="exit 0 even when cases were skipped (torch not installed); without it a skip exits 1",
    )
    verify.set_defaults(run=run)


def check_output(path: str, option: str = "--output") -> None:
    """Refuse, before any case runs, an output path that cannot be written: a folder, a file in a missing
    folder, a read-only file. A file this check creates is removed again."""
    from handmlp.cli import UsageError

    if os.path.isdir(path):
        raise UsageError(f"{option}: expected a file name, got the folder {path!r}")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise UsageError(
            f"{option}: expected a file in an existing folder, got {path!r} (no folder {folder!r})"
        )
    existed = os.path.exists(path)
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"{option}: expected a writable file, got {path!r} ({exc.strerror})") from None
    if not existed:
        os.remove(path)


def run(args: argparse.Namespace) -> int:
    """Check the command line, run the selected cases, write the report; returns the exit status."""
    from handmlp.cli import UsageError

    try:
        from reference.conformance import catalog
        from reference.conformance import report as verify
    except ImportError as exc:  # reference ships with handmlp; this means a broken install
        raise UsageError(f"cannot import the reference package ({exc}); reinstall handmlp") from None
    try:
        cases = catalog.select(args.expression, ids=args.ids)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not cases:
        raise UsageError(f"-k: no case id matches {args.expression!r} (see handmlp verify --list)")
    if args.list:
        for case in cases:
            print(f"{case.id}\t{case.equation}")
        return 0
    if args.output is not None:
        check_output(args.output)
    if args.format == "html":
        from reference.conformance import html_page

        if not html_page.can_plot():
            print(f"handmlp verify: note: {html_page.PLOTS_HINT}", file=sys.stderr)
    if verify.torch_version() is None:
        then = "skips allowed" if args.allow_skip else "the run is INCOMPLETE (exit 1) unless --allow-skip"
        print(
            f"handmlp verify: {verify.TORCH_HINT}; running the cases that need only handmlp, {then}",
            file=sys.stderr,
        )

    def show(result: verify.CaseResult, index: int, total: int) -> None:
        print(verify.progress_line(result, index, total), file=sys.stderr, flush=True)

    report = verify.run(
        args.expression, None if args.quiet else show, ids=args.ids, allow_skip=args.allow_skip
    )
    write_report(verify.render(report, args.format), args.output, report.summary())
    return 0 if report.verdict == "OK" else 1


def write_report(text: str, output: str | None, summary: str) -> None:
    """The report to `output` (then the summary and where it went on stderr), or to stdout when None."""
    from handmlp.cli import UsageError

    if output is None:
        sys.stdout.write(text)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"--output: could not write {output!r} ({exc.strerror})") from None
    print(f"{summary}; report written to {output}", file=sys.stderr)
