"""The `handmlp` command: one module per subcommand (`handmlp/cli/<name>.py`), assembled here.

Each subcommand module offers `add_parser(commands)`, which registers its parser and sets `run`, a function
of the parsed arguments returning the exit status. A user mistake is a `UsageError`: one line on stderr
and exit status 2, never a traceback. The torch side (`reference`) is imported only inside `run`, so
`import handmlp` never needs torch.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from handmlp.cli import check, train, verify

SUBCOMMANDS = (verify, check, train)


class UsageError(Exception):
    """A mistake in how the command was called: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line on stderr (`handmlp verify: error: …`), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command, every subcommand registered."""
    from handmlp import __version__

    parser = Parser(prog="handmlp", description="Hand-written MLPs checked against PyTorch.")
    parser.add_argument("--version", action="version", version=f"handmlp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `handmlp` console script and of `python -m handmlp`; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except UsageError as exc:
        print(f"handmlp {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"handmlp {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`handmlp verify --list | head -1`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return 1
    return status
