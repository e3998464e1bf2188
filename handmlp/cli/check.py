"""`handmlp check MODULE_OR_FILE:FACTORY`: the course catalog and a spread of networks, run on your code.

FACTORY is a function of no arguments returning an implementation (an adapter from
`reference.conformance.adapters`, or anything following `reference.conformance.protocol.Implementation`).
Every catalog case that applies runs on it, then `check_network`'s spread of shapes, batch sizes and dtypes;
a case it cannot express is "not applicable", counted apart. The exit status is 0 only if every applicable
check passed and at least one ran.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

FORMATS = ("text", "json", "markdown", "junit", "html")


def add_parser(commands: Any) -> None:
    """Register `handmlp check` on the subcommand parsers."""
    check = commands.add_parser(
        "check",
        help="check your own network against torch: the catalog where it applies, and a spread of shapes",
        description="Run the course catalog and check_network on an implementation of yours.",
    )
    check.add_argument(
        "spec", metavar="MODULE_OR_FILE:FACTORY", help="e.g. examples/check_network.py:implementation"
    )
    check.add_argument(
        "-k", dest="pattern", default=None, help="run only catalog cases whose id matches this regex"
    )
    check.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    check.add_argument("--output", "-o", default=None, help="write the report to this file instead of stdout")
    check.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Load the implementation, run everything that applies, report; 0 only if all applicable passed."""
    from handmlp.cli import UsageError
    from handmlp.cli.verify import check_output, write_report

    _check_command_line(args)  # a mistake costs no torch import
    if args.output is not None:
        check_output(args.output)
    from reference.conformance.loading import SpecError, load_implementation  # NumPy only

    try:
        impl = load_implementation(args.spec)
    except SpecError as exc:
        raise UsageError(str(exc)) from exc
    try:
        from reference.conformance import report as reports
        from reference.conformance.network import check_network, first_diagnosis, one_thread
    except ImportError as exc:  # torch absent or a broken install
        raise UsageError(f"cannot import the reference package ({exc}); pip install torch==2.13.0") from exc
    if reports.torch_version() is None:
        raise UsageError(f"checking a network compares it with torch.autograd; {reports.TORCH_HINT}")
    with one_thread():
        catalog = reports.run(args.pattern, impl=impl)
        spread = check_network(impl)
    report = reports.Report(
        catalog.results + spread.results,
        catalog.handmlp_version,
        catalog.torch_version,
        catalog.seconds + spread.seconds,
        implementation=impl.name,
    )
    report.diagnosis = first_diagnosis(report.results)
    write_report(reports.render(report, args.format), args.output or None, report.summary())
    if report.diagnosis:
        print(f"handmlp check: {report.diagnosis}", file=sys.stderr)
    return 0 if report.ok and report.count("pass") > 0 else 1


def _check_command_line(args: argparse.Namespace) -> None:
    """The mistakes that need nothing imported to be seen: the spec's form, a missing file, a bad -k."""
    from handmlp.cli import UsageError

    where, sep, attr = args.spec.rpartition(":")
    if not sep or not where or not attr:
        raise UsageError(
            f"expected MODULE_OR_FILE:FACTORY (such as examples/network.py:make), got {args.spec!r}"
        )
    if where.endswith(".py") and not os.path.isfile(where):
        raise UsageError(f"no such file: {where}")
    if args.pattern is not None:
        try:
            re.compile(args.pattern)
        except re.error as exc:
            raise UsageError(f"-k: expected a regular expression, got {args.pattern!r} ({exc})") from None
