"""Run mutmut's mutants of handmlp's core fast: collect the suite once per worker, fork per mutant.

mutmut (pinned in tox.ini) generates the mutants and learns which tests reach which function; its own
runner then starts a fresh pytest session per mutant, which here costs seconds of collection each. This
runner collects the whole suite once in each worker, then for every mutant forks, switches the mutant on
(mutmut's trampolines read it per call) and runs the tests that reach the mutated function, fastest first,
stopping at the first failure. Results go back into mutmut's files, so `mutmut results`, `mutmut show` and
`mutmut export-cicd-stats` read them as their own. docs/mutation.md has the method and the measured score.

    python tests/mutation_runner.py                      # every mutant of the core
    python tests/mutation_runner.py "handmlp.losses*"    # the mutants whose names match (fnmatch)
"""

from __future__ import annotations

import argparse
import fnmatch
import gc
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

MUTANTS = Path("mutants")
STATS = MUTANTS / "mutmut-stats.json"
RESULTS = MUTANTS / "runner-results"
# mutmut's exit-code vocabulary (mutmut.stats.status_by_exit_code), so its own commands read our results.
EXIT_CODE = {"killed": 1, "survived": 0, "no tests": 33, "timeout": 36}


def prepare() -> None:
    """mutmut's own first steps: copy the tree into mutants/, generate the mutants, collect which tests
    reach which function (a whole-suite run under coverage, skipped while its results are current)."""
    from mutmut.__main__ import collect_or_load_stats, create_mutants, store_lines_covered_by_tests
    from mutmut.mutation.trampoline import set_mutant_under_test
    from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir, setup_source_paths
    from mutmut.workers.isolation import get_mutant_runner

    set_mutant_under_test("mutant_generation")
    MUTANTS.mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    store_lines_covered_by_tests()
    create_mutants(os.cpu_count() or 2)
    collect_or_load_stats(get_mutant_runner(1), apply_config_invalidation=True)


def all_mutants(patterns: list[str]) -> list[str]:
    """Every generated mutant's name whose name matches one of `patterns` (all of them if none)."""
    names = []
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        names += json.loads(meta.read_text())["exit_code_by_key"]
    return [n for n in names if not patterns or any(fnmatch.fnmatch(n, p) for p in patterns)]


def tests_by_mutant(names: list[str]) -> tuple[dict[str, list[str]], dict[str, float]]:
    """The tests that reach each mutant's function, fastest first, and every test's duration."""
    from mutmut.utils.format_utils import mangled_name_from_mutant_name

    stats = json.loads(STATS.read_text())
    durations: dict[str, float] = stats["duration_by_test"]
    reach = stats["tests_by_mangled_function_name"]
    tests = {}
    for name in names:
        covering = reach.get(mangled_name_from_mutant_name(name.replace("__init__.", "")), [])
        tests[name] = sorted(covering, key=lambda t: durations.get(t, 0.0))
    return tests, durations


# --- a worker: one pytest session, one fork per mutant ------------------------------------------------------


class MutantLoop:
    """A pytest plugin that replaces the test loop: after collection, fork per mutant and run its tests."""

    def __init__(
        self, jobs: dict[str, list[str]], durations: dict[str, float], out: Path, kills: Counter[str]
    ) -> None:
        self.jobs, self.durations, self.out, self.kills = jobs, durations, out, kills

    def pytest_runtestloop(self, session: Any) -> bool:
        import handmlp

        mutated = Path(handmlp.__file__).resolve().is_relative_to(Path.cwd().resolve())
        if not mutated:
            raise RuntimeError(f"handmlp imported from {handmlp.__file__}, not from mutants/")
        items = {item.nodeid.removeprefix("mutants/"): item for item in session.items}
        self.check_forced_failure(items)
        gc.freeze()  # the collected session stays shared with every fork, untouched
        from mutmut.utils.format_utils import mangled_name_from_mutant_name

        # A test that killed one mutant of a function is likely to kill the next: try those first, then
        # the tests that killed most mutants anywhere (from earlier runs too), then the fastest.
        killers: dict[str, list[str]] = defaultdict(list)
        kills = self.kills
        with self.out.open("a") as results:
            for name, tests in self.jobs.items():
                function = mangled_name_from_mutant_name(name.replace("__init__.", ""))
                first = [t for t in killers[function] if t in items]
                rest = sorted((t for t in tests if t in items and t not in first), key=lambda t: -kills[t])
                chosen = [items[t] for t in first + rest]
                outcome = self.run_mutant(name, chosen, sum(self.durations.get(t, 0.0) for t in tests))
                if outcome["killer"]:
                    killer = outcome["killer"].removeprefix("mutants/")
                    killers[function] = [killer, *[t for t in killers[function] if t != killer][:9]]
                    kills[killer] += 1
                results.write(json.dumps(outcome) + "\n")
                results.flush()
        return True

    def check_forced_failure(self, items: dict[str, Any]) -> None:
        """The first job's tests pass in a fork with no mutant switched on (so a kill is the mutant's doing,
        not the fork's), and fail with mutmut's 'fail' mutant, which makes every mutated function raise."""
        for tests in self.jobs.values():
            chosen = [items[t] for t in tests[:5] if t in items]
            if chosen:
                if self.run_mutant("", chosen, 60.0)["status"] != "survived":
                    raise RuntimeError(f"{[i.nodeid for i in chosen]} fail in a fork with no mutant")
                if self.run_mutant("fail", chosen, 60.0)["status"] != "killed":
                    raise RuntimeError("the forced-failure check passed: mutants are not switched on")
                return

    def run_mutant(self, name: str, items: list[Any], estimate: float) -> dict[str, Any]:
        """Fork; in the child switch `name` on and run `items` until one fails; report what happened."""
        if not items:
            return {"mutant": name, "status": "no tests", "killer": None, "seconds": 0.0}
        start = time.perf_counter()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            os._exit(run_items(name, items, write))
        os.close(write)
        limit = 10.0 * estimate + 60.0
        killer = b""
        while True:
            ready, _, _ = select.select([read], [], [], max(0.0, start + limit - time.perf_counter()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                status = "timeout"
                break
            chunk = os.read(read, 4096)
            if not chunk:
                status = "killed" if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0 else "survived"
                break
            killer += chunk
        if status == "timeout":
            os.waitpid(pid, 0)
        os.close(read)
        return {
            "mutant": name,
            "status": status,
            "killer": killer.decode(errors="replace") or None,
            "seconds": round(time.perf_counter() - start, 3),
        }


def run_items(name: str, items: list[Any], pipe: int) -> int:
    """In the forked child: run each item (its fixtures set up as pytest would); 1 at the first failure,
    with the failing test's id written to `pipe`, 0 if all pass."""
    from _pytest.runner import runtestprotocol
    from mutmut.mutation.trampoline import set_mutant_under_test

    set_mutant_under_test(name)
    os.environ.pop("MUTANT_UNDER_TEST", None)  # the trampolines then read the process-local copy, faster
    for i, item in enumerate(items):
        following = items[i + 1] if i + 1 < len(items) else None
        if any(report.failed for report in runtestprotocol(item, nextitem=following, log=False)):
            os.write(pipe, item.nodeid.encode())
            return 1
    return 0


def worker(jobs_file: Path, out: Path) -> int:
    """One worker: collect the suite inside mutants/ once, then run the jobs in `jobs_file`."""
    import pytest
    from mutmut.mutation.trampoline import set_mutant_under_test

    jobs, out = json.loads(jobs_file.read_text()), out.resolve()
    kills = Counter(
        o["killer"] for o in load_results().values() if o["killer"]
    )  # before leaving for mutants/
    os.chdir(MUTANTS)
    sys.path.insert(0, os.getcwd())
    set_mutant_under_test("")
    # --tb=native: pytest's own traceback parses every mutated file it passes through (thousands of lines
    # each, one copy of a function per mutant) for every failure, which cost seconds per kill.
    args = [
        "--rootdir=.",
        "-q",
        "--tb=native",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:logging",
    ]
    # the test files mutmut's stats know (not ones added since, which its map of reach does not cover)
    args += ["--no-cov", *sorted({test.split("::")[0] for test in jobs["durations"]})]
    return int(pytest.main(args, plugins=[MutantLoop(jobs["tests"], jobs["durations"], out, kills)]))


# --- the driver ---------------------------------------------------------------------------------------------


def run(patterns: list[str], workers: int, rerun: bool, skip_prepare: bool) -> dict[str, dict[str, Any]]:
    """Prepare, split the mutants over `workers` processes, wait, and return every mutant's outcome."""
    if not skip_prepare:
        prepare()
    names = all_mutants(patterns)
    done = {} if rerun else load_results()
    todo = [n for n in names if n not in done]
    forget(todo)  # with --rerun, an earlier outcome in another worker's file would otherwise outlive the new
    random.Random(0).shuffle(todo)  # stopped early, what has run is a uniform sample of every module
    tests, durations = tests_by_mutant(todo)
    print(f"{len(names)} mutants match, {len(todo)} to run, {workers} workers", flush=True)
    RESULTS.mkdir(exist_ok=True)
    processes = []
    for k in range(workers):
        share = todo[k::workers]
        jobs = RESULTS / f"jobs-{k}.json"
        jobs.write_text(json.dumps({"tests": {n: tests[n] for n in share}, "durations": durations}))
        command = [sys.executable, __file__, "--worker", str(jobs), str(RESULTS / f"results-{k}.jsonl")]
        with (RESULTS / f"worker-{k}.log").open("w") as log:
            processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
    for process in processes:
        if process.wait() != 0:
            print(
                f"a worker exited with status {process.returncode}: see {RESULTS}/worker-*.log",
                file=sys.stderr,
            )
    results = load_results()
    return {n: results[n] for n in names if n in results}


def forget(names: list[str]) -> None:
    """Drop the recorded outcomes of `names`, about to run again, from every results file."""
    drop = set(names)
    for path in RESULTS.glob("results-*.jsonl") if RESULTS.exists() else []:
        kept = [line for line in path.read_text().splitlines() if line.strip()]
        path.write_text("".join(line + "\n" for line in kept if json.loads(line)["mutant"] not in drop))


def load_results() -> dict[str, dict[str, Any]]:
    """Every outcome recorded so far (a later line for a mutant wins)."""
    results: dict[str, dict[str, Any]] = {}
    for lines in sorted(RESULTS.glob("results-*.jsonl")) if RESULTS.exists() else []:
        for line in lines.read_text().splitlines():
            if line.strip():
                outcome = json.loads(line)
                results[outcome["mutant"]] = outcome
    return results


def write_back(results: dict[str, dict[str, Any]]) -> None:
    """Record each outcome in mutmut's .meta files, in its exit-code vocabulary."""
    for meta in MUTANTS.rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        for name in codes:
            if name in results:
                codes[name] = EXIT_CODE[results[name]["status"]]
        meta.write_text(json.dumps(data, indent=4))


def summary(results: dict[str, dict[str, Any]]) -> str:
    """The score per module and overall: (killed + timeout) / (all − no tests), and the survivors."""
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, outcome in results.items():
        by_module[name.split(".x_")[0].split(".xǁ")[0]][outcome["status"]] += 1
    lines = [f"{'module':40} {'mutants':>8} {'killed':>7} {'timeout':>8} {'survived':>9} {'score':>7}"]
    total: Counter[str] = Counter()
    for module, counts in sorted(by_module.items()):
        total += counts
        lines.append(_row(module, counts))
    lines.append(_row("all", total))
    survivors = sorted(n for n, o in results.items() if o["status"] == "survived")
    lines += ["", f"{len(survivors)} survivors:", *survivors]
    return "\n".join(lines)


def _row(label: str, counts: Counter[str]) -> str:
    tested = sum(counts.values()) - counts["no tests"]
    caught = counts["killed"] + counts["timeout"]
    score = f"{100.0 * caught / tested:6.2f}%" if tested else "     -"
    return (
        f"{label:40} {sum(counts.values()):8} {counts['killed']:7} {counts['timeout']:8} "
        f"{counts['survived']:9} {score:>7}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", help="mutant names to run (fnmatch), e.g. 'handmlp.losses*'")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rerun", action="store_true", help="run again mutants that have a result")
    parser.add_argument(
        "--skip-prepare", action="store_true", help="go on with mutants/ as it is (no copy, no new stats)"
    )
    parser.add_argument("--worker", nargs=2, metavar=("JOBS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(Path(args.worker[0]), Path(args.worker[1]))
    start = time.perf_counter()
    results = run(args.patterns, args.workers, args.rerun, args.skip_prepare)
    write_back(results)
    print(summary(results))
    print(f"\n{len(results)} mutants in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
