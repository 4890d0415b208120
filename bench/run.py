"""Time cvbuild as a user runs it: fresh processes, median of several runs, peak memory.

    python bench/run.py [--runs 7] [--json bench/results/latest.json]

Budgets come from DESIGN.md; they are reported here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "profiles" / "example.yaml"
EPOCH = "1767225600"  # fixed build date, as in the tests
ALL_FORMATS = ("pdf", "html", "txt", "md", "png")


@dataclass
class Result:
    name: str
    command: str
    runs: int
    median_s: float
    min_s: float
    max_s: float
    peak_rss_mib: float
    budget_s: float | None
    note: str = ""
    cpu_s: float = float("nan")  # median user+system time of the child: less swayed by other load
    load: float = float("nan")  # median 1-minute load average while the runs went on

    @property
    def verdict(self) -> str:
        if self.runs == 0:
            return self.note
        if self.budget_s is None:
            return ""
        return "ok" if self.median_s < self.budget_s else "OVER"


def cvbuild_command() -> list[str]:
    """The installed console script when there is one (what users run), else `python -m cvbuild`."""
    script = Path(sys.executable).with_name("cvbuild")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cvbuild"]


class CommandFailedError(Exception):
    """A measured command exited non-zero; the row is reported as failed, the run goes on."""


def run_once(argv: list[str], cwd: Path, extra_env: dict[str, str] | None = None) -> tuple[float, float, float, float]:
    """Wall time, peak RSS, CPU time of one fresh process (wait4 gives that child's own rusage),
    and the load average when it ended."""
    # Installed packages carry compiled bytecode; a sandbox's PYTHONDONTWRITEBYTECODE would make
    # every run recompile cvbuild's sources, which no user pays. The warm-up run writes it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    env.update(extra_env or {})
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise CommandFailedError(f"exit {proc.returncode}: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss / 1024, cpu, os.getloadavg()[0]  # Linux reports KiB


def measure(
    name: str,
    args: list[str],
    runs: int,
    budget: float | None,
    cwd: Path,
    note: str = "",
    program: list[str] | None = None,
    env: dict[str, str] | None = None,
    before: Callable[[], None] | None = None,
) -> Result:
    """`cvbuild ARGS` (or `program ARGS`) in fresh processes, with `env` added to the environment
    and `before()` (untimed) before each run."""
    argv = (program or cvbuild_command()) + args
    shown = " ".join(a if " " not in a else repr(a) for a in [*(["cvbuild"] if program is None else []), *args])
    prepare = before or (lambda: None)

    def sample() -> tuple[float, float, float, float]:
        prepare()
        return run_once(argv, cwd, env)

    try:
        sample()  # warm-up: page cache and .pyc files, not counted
        samples = [sample() for _ in range(runs)]
    except CommandFailedError as exc:
        nan = float("nan")
        return Result(name, shown, 0, nan, nan, nan, nan, budget, f"FAILED: {exc}")
    times = [t for t, *_ in samples]
    return Result(
        name=name,
        command=shown,
        runs=runs,
        median_s=statistics.median(times),
        min_s=min(times),
        max_s=max(times),
        peak_rss_mib=max(r for _, r, *_ in samples),
        budget_s=budget,
        note=note,
        cpu_s=statistics.median(c for *_, c, _ in samples),
        load=statistics.median(x for *_, x in samples),
    )


def available_formats() -> tuple[list[str], list[str]]:
    """Formats whose default engine module exists in this checkout; the rest are skipped."""
    from cvbuild.targets.base import DEFAULT_ENGINE, FORMATS

    ok, skipped = [], []
    for fmt in ALL_FORMATS:
        module = FORMATS[fmt][DEFAULT_ENGINE[fmt]]
        (ok if importlib.util.find_spec(module) is not None else skipped).append(fmt)
    return ok, skipped


# ---- generated profile ----------------------------------------------------------------------------

VENUES = ["EuroSys", "OSDI", "SOSP", "NSDI", "SIGCOMM", "ATC", "MLSys", "VLDB", "SIGMOD", "ASPLOS", "HotNets"]
WORDS = ["adaptive", "scalable", "efficient", "distributed", "learned", "serving", "caching", "scheduling"]
WORDS += ["compression", "inference", "training", "placement", "replication", "streaming", "memory", "cloud"]
SURNAMES = ["Chen", "Okafor", "Rossi", "Novak", "Tanaka", "Silva", "Haddad", "Ivanova", "Müller", "Nguyen", "Park"]
GIVEN = ["Ada", "Bo", "Chen", "Dana", "Eli", "Farah", "Gao", "Hana", "Ivan", "Jun", "Kai", "Lena", "Mina", "Omar"]


def generated_profile(n: int, seed: int = 7) -> dict[str, object]:
    """A profile with `n` publications; JSON is YAML 1.2, so it is written as JSON."""
    rng = random.Random(seed)
    owner = "Ada Bench"
    pubs = []
    for i in range(n):
        authors = [f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}" for _ in range(rng.randint(2, 9))]
        authors.insert(rng.randrange(len(authors) + 1), owner)
        year = 2000 + i % 26
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 11))).capitalize()
        pubs.append(
            {
                "title": f"{title} ({i})",
                "authors": authors,
                "venue": f"{rng.choice(VENUES)} {year}",
                "date": f"{year}-{1 + i % 12:02d}",
                "type": rng.choice(["conference", "conference", "journal", "workshop", "preprint"]),
                "award": "Best Paper Award" if i % 37 == 0 else None,
                "links": {"paper": f"https://example.org/p/{i}.pdf", "code": f"https://example.org/c/{i}"},
            }
        )
    for p in pubs:
        if p["award"] is None:
            del p["award"]
    return {
        "name": owner,
        "native_name": "艾达",
        "headline": "Benchmark profile with **many** publications",
        "contact": {"email": "ada@example.org", "website": "https://example.org", "links": {"github": "adabench"}},
        "summary": "A generated profile used by bench/run.py.",
        "publications": pubs,
    }


def write_profile(folder: Path, n: int) -> Path:
    path = folder / f"pubs-{n}.yaml"
    path.write_text(json.dumps(generated_profile(n), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# ---- report -----------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    head = f"{'what':<44} {'median':>8} {'min':>7} {'max':>7} {'cpu':>7} {'peak RSS':>9} {'load':>5}"
    head += f" {'budget':>8}  verdict"
    lines = [head, "-" * len(head)]
    for r in results:
        budget = f"< {r.budget_s:.2f}s" if r.budget_s is not None else ""
        lines.append(
            f"{r.name:<44} {r.median_s:>7.3f}s {r.min_s:>6.3f}s {r.max_s:>6.3f}s {r.cpu_s:>6.3f}s "
            f"{r.peak_rss_mib:>5.0f} MiB {r.load:>5.1f} {budget:>8}  {r.verdict}"
        )
    return "\n".join(lines)


def growth(series: list[Result], label: str) -> str:
    """Marginal cost per publication between sizes: equal steps mean the cost grows linearly."""
    sizes = [int(r.name.split()[0]) for r in series]
    steps = []
    for i in range(1, len(series)):
        cost = 1000 * (series[i].median_s - series[i - 1].median_s) / (sizes[i] - sizes[i - 1])
        steps.append(f"{sizes[i - 1]}->{sizes[i]}: {cost:.2f} ms/publication")
    return f"growth ({label}): " + "; ".join(steps)


def floor_ratios(results: dict[str, Result], big: str) -> str:
    """Each example row over the floor row (pydantic + Typst alone, measured in the same session):
    unlike the absolute medians, this ratio holds across a faster or slower host."""
    pairs = [(k, "floor") for k in ("pdf", "pdf cold", "pdf edited", "text", "text cold")]
    pairs.append((big, "big floor"))  # the largest generated profile's PDF row
    shown = []
    for key, floor in pairs:
        row, base = results.get(key), results.get(floor)
        if row is None or base is None or not row.runs or not base.runs:
            continue
        shown.append(f"{row.name}: {row.median_s / base.median_s:.2f}x")
    return "relative to the floor: " + ("; ".join(shown) if shown else "not measured")


def png_per_page(with_png: Result, without: Result, pages: int) -> str:
    """What the previews add, per page: the difference of two fresh-process medians."""
    if not pages or with_png.runs == 0 or without.runs == 0:
        return "PNG per page: not measured"
    ms = 1000 * (with_png.median_s - without.median_s) / pages
    return f"PNG per page ({pages} pages): {ms:.0f} ms (budget 40 ms) {'ok' if ms <= 40 else 'OVER'}"


def watch_rebuild(profile: Path, out: Path, runs: int, content: bool = False) -> Result:
    """A `watch` rebuild (html+pdf) after an edit, in-process with the warm cache `watch` keeps.
    The edit adds a comment (the Document stays the same: what is left is loading, building and
    checking) or, with `content`, changes the headline (Typst lays out again what the edit touched)."""
    from cvbuild.pipeline import RenderRequest, parse_formats, render
    from cvbuild.targets.typst_stage import staged_session
    from cvbuild.watch import collector_paused

    original = profile.read_text(encoding="utf-8")
    if content and "\nheadline: " not in original:
        raise ValueError(f"{profile}: no headline to edit")
    request = RenderRequest(profile=profile, formats=parse_formats("html,pdf"), document="cv", output=out)
    cache: dict[object, object] = {}
    times, cpus, loads = [], [], []
    with staged_session(cache):  # as `cvbuild watch` runs its builds: Typst reads the Document from a file
        render(request, cache=cache)
        try:
            for i in range(runs):
                edited = (
                    original.replace("\nheadline: ", f"\nheadline: ({i}) ", 1)
                    if content
                    else f"{original}\n# edit {i}\n"
                )
                profile.write_text(edited, encoding="utf-8")  # a save: new bytes
                with collector_paused():  # as `watch` builds: the cycle collector runs after the build
                    start, cpu = time.perf_counter(), time.process_time()  # process time: Typst's thread too
                    render(request, cache=cache)
                    times.append(time.perf_counter() - start)
                    cpus.append(time.process_time() - cpu)
                loads.append(os.getloadavg()[0])
        finally:
            profile.write_text(original, encoding="utf-8")
    med = statistics.median(times)
    name = f"watch rebuild -d cv html+pdf, {'headline' if content else 'comment'} edit"
    result = Result(name, "cvbuild watch", runs, med, min(times), max(times), float("nan"), 0.1)
    result.cpu_s, result.load = statistics.median(cpus), statistics.median(loads)
    return result


def floor_args(profile: Path, work: Path) -> list[str]:
    """bench/floor.py's arguments for `profile -d cv` in the default theme: the Document JSON
    `cvbuild inspect` prints (what Typst receives), the theme's cv.typ, packages and fonts."""
    from cvbuild.themes import fonts
    from cvbuild.themes.theme import load_theme

    document = work / f"floor-{profile.stem}.json"
    with document.open("wb") as handle:
        subprocess.run([*cvbuild_command(), "inspect", str(profile), "-d", "cv"], stdout=handle, check=True)
    theme = load_theme("classic")
    template = theme.find("cv.typ")
    packages = next(folder / "packages" for folder in theme.chain if (folder / "packages").is_dir())
    dirs = [str(d) for d in fonts.font_dirs(theme)]
    return [str(Path(__file__).with_name("floor.py")), str(document), str(template), str(packages), *dirs]


def edit_between(profile: Path, args: list[str]) -> Callable[[], None]:
    """Before a run: render `profile` with its headline edited (untimed), then put the profile
    back, so that the timed render is of other text than the last render of that file."""
    text = profile.read_text(encoding="utf-8")
    edited = text.replace("headline:", "headline: Edited,", 1)
    assert edited != text, "the profile has no headline to edit"

    def before() -> None:
        profile.write_text(edited, encoding="utf-8")
        run_once(cvbuild_command() + args, ROOT)
        profile.write_text(text, encoding="utf-8")

    return before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (median reported; at least 5)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--pubs", type=int, default=1000, help="publications in the generated profile")
    parser.add_argument("--quick", action="store_true", help="skip the largest rows (WeasyPrint at N publications)")
    parser.add_argument("--watch", action="store_true", help="only the two `watch` rebuild rows (in-process)")
    opts = parser.parse_args()
    runs = max(5, opts.runs)
    formats, skipped = available_formats()
    for fmt in skipped:
        print(f"skipped format {fmt}: its target is not available in this checkout")
    all_f = ",".join(formats)
    text_f = ",".join(f for f in formats if f != "png")
    work = Path(tempfile.mkdtemp(prefix="cvbuild-bench-"))
    # cvbuild's caches (compiled templates, Typst's warm-start recipes) in a folder of the bench's
    # own, so what the user's cache holds does not matter; the warm-up run of each row fills it.
    os.environ["CVBUILD_CACHE_DIR"] = str(work / "cache")
    os.environ.pop("CVBUILD_NO_CACHE", None)
    try:
        out = work / "out"
        sizes = (opts.pubs // 4, opts.pubs // 2, opts.pubs)
        generated = {n: write_profile(work, n) for n in sizes}
        shutil.copy(EXAMPLE, work / EXAMPLE.name)
        ex = str(work / EXAMPLE.name)
        big = str(generated[opts.pubs])
        o = ["-o", str(out)]
        rows: dict[str, tuple[str, list[str], float | None]] = {
            "help": ("cvbuild --help", ["--help"], 0.1),
            "all docs": ("example -f pdf (all documents)", ["render", ex, "-f", "pdf", *o], None),
            "pdf": ("example -d cv -f pdf", ["render", ex, "-d", "cv", "-f", "pdf", *o], 0.35),
            "text": (f"example -d cv -f {text_f}", ["render", ex, "-d", "cv", "-f", text_f, *o], 0.45),
            "all": (f"example -d cv -f {all_f}", ["render", ex, "-d", "cv", "-f", all_f, *o], None),
            "weasy": (
                "example -d cv -f pdf --engine weasyprint",
                [*("render", ex, "-d", "cv", "-f", "pdf"), *o, "--engine", "weasyprint"],
                None,
            ),
        }
        for n in sizes:
            rows[f"{n} pdf"] = (f"{n} publications, -f pdf", ["render", str(generated[n]), "-f", "pdf", *o], None)
        rows[f"{opts.pubs} pdf"] = (*rows[f"{opts.pubs} pdf"][:2], 1.5)
        rows["big text"] = (f"{opts.pubs} publications, -f {text_f}", ["render", big, "-f", text_f, *o], 3.0)
        rows["big all"] = (f"{opts.pubs} publications, -f {all_f}", ["render", big, "-f", all_f, *o], None)
        if not opts.quick:
            weasy_big = ["render", big, "-f", "pdf", "--engine", "weasyprint", *o]
            rows["big weasy"] = (f"{opts.pubs} publications, -f pdf --engine weasyprint", weasy_big, 10.0)
        results: dict[str, Result] = {}
        if opts.watch:
            rows = {}
        # Each row's runs render the very profile the run before did, so Typst starts warm (see
        # cvbuild/targets/typst_warm.py). These rows show the other two cases: a first render,
        # with no cache at all, and a render after an edit (the last render was of other text).
        cold = {"CVBUILD_NO_CACHE": "1"}
        extra: dict[str, tuple[dict[str, str] | None, Callable[[], None] | None]] = {
            "pdf cold": (cold, None),
            "text cold": (cold, None),
            "pdf edited": (None, edit_between(Path(ex), ["render", ex, "-d", "cv", "-f", "pdf", *o])),
        }
        rows = {
            **dict(list(rows.items())[:3]),
            "pdf cold": (f"{rows['pdf'][0]}, first render (no cache)", rows["pdf"][1], 0.35),
            "pdf edited": (f"{rows['pdf'][0]}, after an edit", rows["pdf"][1], 0.35),
            "text": rows["text"],
            "text cold": (f"{rows['text'][0]}, first render (no cache)", rows["text"][1], 0.45),
            **dict(list(rows.items())[4:]),
        }
        for key, (name, args, budget) in rows.items():
            shutil.rmtree(out, ignore_errors=True)
            env, before = extra.get(key, (None, None))
            results[key] = measure(name, args, runs, budget, ROOT, env=env, before=before)
            if key == "all":
                example_pages = len(list(out.glob("*.png")))
            if key == "big all":
                big_pages = len(list(out.glob("*.png")))
            print(f"  measured {name}", file=sys.stderr)
        if not opts.watch:
            if results["weasy"].runs and results["pdf"].runs:
                results["weasy"].budget_s = 2 * results["pdf"].median_s  # DESIGN.md: at most twice Typst's time
            results["floor"] = measure(
                "floor: pydantic + Typst alone, example -d cv",
                floor_args(Path(ex), work),
                runs,
                None,
                ROOT,
                program=[sys.executable],
            )
            results["big floor"] = measure(  # what the 1.5 s budget of the row above leaves cvbuild
                f"floor: pydantic + Typst alone, {opts.pubs} publications",
                floor_args(Path(big), work),
                runs,
                None,
                ROOT,
                program=[sys.executable],
            )
        results["watch"] = watch_rebuild(Path(ex), out, runs)
        results["watch content"] = watch_rebuild(Path(ex), out, runs, content=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    python = sys.version.split()[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\ncvbuild benchmark: {runs} fresh runs each, median; {os.cpu_count()} CPUs; Python {python}; load {load}")
    print("cpu = user+system seconds of the process (all threads); load = 1-minute load average during the row\n")
    print(table(list(results.values())))
    print()
    if opts.watch:
        return
    print(growth([results[f"{n} pdf"] for n in sizes], "pdf"))
    print(floor_ratios(results, f"{opts.pubs} pdf"))
    print(png_per_page(results["all"], results["text"], example_pages))
    print(png_per_page(results["big all"], results["big text"], big_pages).replace("PNG", f"PNG, {opts.pubs} pubs,"))
    if opts.json:
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        opts.json.write_text(json.dumps([asdict(r) for r in results.values()], indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
