"""cvbuild beside RenderCV on the same content: fresh processes, paired runs, medians.

    python bench/compare.py [--rendercv PATH] [--typst-packages DIR] [--runs 5] [--pubs N ...]
                            [--cases pdf png md all]

RenderCV is never a dependency of cvbuild. Point --rendercv (or $RENDERCV) at its executable,
for example one installed in a separate virtual environment. RenderCV's Typst templates import
`@preview/fontawesome`, which Typst downloads at render time; on a machine without the Typst
package registry, give --typst-packages (or $RENDERCV_TYPST_PACKAGES) a Typst package cache
folder that holds it (DIR/preview/fontawesome/0.6.0/lib.typ; bench/README.md says how to make
one). Without RenderCV, or when it cannot render, the script says why and exits 0.

The content: RenderCV's own sample (`rendercv new`), rendered by RenderCV, and the same file
imported with `cvbuild import rendercv`, rendered by cvbuild. `--pubs N` adds a case of the
sample with N generated publications (seeded), imported the same way.

Each case pairs a RenderCV command with the cvbuild command that writes the same outputs; every
run of one is followed by a run of the other (the order alternating), so both meet the same load.
The ratio is the median of the per-pair ratios, cvbuild over RenderCV.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

EPOCH = "1767225600"  # fixed build date, as in the tests and bench/run.py

# (label, RenderCV's flags, cvbuild's formats). RenderCV always writes its .typ source besides;
# `-nomd` also drops its HTML (made from the Markdown), `-notyp` its PDF and PNG.
CASES: tuple[tuple[str, list[str], str], ...] = (
    ("PDF only", ["-nomd", "-nopng"], "pdf"),
    ("PDF + PNG", ["-nomd"], "pdf,png"),
    ("Markdown + HTML", ["-notyp"], "md,html"),
    ("every output", [], "pdf,html,txt,md,png"),
)
CASE_KEYS = ("pdf", "png", "md", "all")  # --cases picks some of CASES by these names


class Skip(Exception):
    """RenderCV cannot be compared here; the message says why."""


@dataclass
class Sample:
    wall: float
    cpu: float  # user+system of the child, all threads (wait4)
    load: float  # 1-minute load average when the run ended


@dataclass
class Pair:
    label: str
    rendercv: list[str]
    cvbuild: list[str]
    rendercv_out: Path
    cvbuild_out: Path
    theirs: list[Sample] = field(default_factory=list)
    ours: list[Sample] = field(default_factory=list)


def child_env(extra: dict[str, str]) -> dict[str, str]:
    # Bytecode is written by the warm-up run, as a normal install would have it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    return env | extra


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> Sample | str:
    """One fresh process: its times, or the tail of what it said when it failed."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        log.seek(0)
        said = log.read().decode(errors="replace")
    # RenderCV prints an error panel for a failed package download.
    if proc.returncode != 0 or "failed to download" in said:
        text = " ".join(said.replace("│", " ").replace("─", "").split())
        error = re.search(r"\w*Error: .*$", text)  # the error line, not the traceback before it
        return (error.group(0) if error else text)[-300:] or "failed"
    return Sample(wall, usage.ru_utime + usage.ru_stime, os.getloadavg()[0])


def find_rendercv(given: str | None) -> str | None:
    candidate = given or os.environ.get("RENDERCV") or shutil.which("rendercv")
    return candidate if candidate and Path(candidate).exists() else None


def cvbuild_command() -> list[str]:
    """The console script of this Python's environment (what users run), else `python -m cvbuild`."""
    script = Path(sys.executable).with_name("cvbuild")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cvbuild"]


def rendercv_env(packages: Path | None, work: Path) -> dict[str, str]:
    """RenderCV's processes get a private $XDG_CACHE_HOME (nothing lands in the user's cache).

    Typst (typst-kit) looks for packages in typst's package_path, then in its cache,
    $XDG_CACHE_HOME/typst/packages, before it downloads; RenderCV sets only package_path (to its
    own bundled package), so a cache whose typst/packages is the given folder serves
    @preview/fontawesome offline. RenderCV 2.8 also asks PyPI for its latest version in a
    background thread unless $XDG_CACHE_HOME/rendercv/version_check.json is fresh: a fresh one,
    naming no newer version, keeps the timed runs off the network."""
    cache = work / "xdg-cache"
    (cache / "typst").mkdir(parents=True)
    (cache / "rendercv").mkdir()
    checked = {"last_check": time.time(), "latest_version": "0"}
    (cache / "rendercv" / "version_check.json").write_text(json.dumps(checked), encoding="utf-8")
    if packages is not None:
        (cache / "typst" / "packages").symlink_to(packages.resolve(), target_is_directory=True)
    return child_env({"XDG_CACHE_HOME": str(cache)})


def new_sample(rendercv: str, work: Path, env: dict[str, str]) -> Path:
    made = subprocess.run([rendercv, "new", "Ada Example"], cwd=work, env=env, capture_output=True, text=True)
    samples = sorted(work.glob("*_CV.yaml"))
    if made.returncode != 0 or not samples:
        raise Skip(f"RenderCV could not write its sample: {(made.stderr or made.stdout).strip()[-300:]}")
    return samples[0]


def with_publications(sample: Path, n: int) -> Path:
    """The sample with its publications replaced by n generated ones (seeded: same file every run)."""
    yaml = YAML()
    data = yaml.load(sample.read_text(encoding="utf-8"))
    owner = f"**{data['cv']['name']}**"  # RenderCV's sample marks its owner in bold
    rng = random.Random(n)
    surnames = ["Garcia", "Liu", "Park", "Williams", "Anderson", "Wu", "Novak", "Okafor", "Tanaka", "Rossi"]
    given = ["Maria", "James", "Sarah", "David", "Tom", "Kevin", "Lena", "Chidi", "Yuki", "Marco"]
    venues = ["NeurIPS", "ICML", "ICLR", "Journal of Machine Learning Research", "ACL", "CVPR"]
    pubs = []
    for i in range(n):
        authors = [f"{rng.choice(given)} {rng.choice(surnames)}" for _ in range(rng.randint(2, 9))]
        authors.insert(rng.randint(0, len(authors)), owner)
        year = 2026 - i * 20 // max(n, 1)
        pubs.append(
            {
                "title": f"Study {i + 1} of {rng.choice(['sparse', 'robust', 'efficient', 'scalable'])} learning",
                "authors": authors,
                "doi": f"10.1234/bench.{year}.{i + 1}",
                "journal": f"{rng.choice(venues)} {year}",
                "date": f"{year}-{rng.randint(1, 12):02d}",
            }
        )
    data["cv"]["sections"]["publications"] = pubs
    path = sample.with_name(f"Pubs_{n}_CV.yaml")
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def imported(rendercv_yaml: Path) -> Path:
    """The same content as a cvbuild profile, through `cvbuild import rendercv`."""
    result = subprocess.run(
        [*cvbuild_command(), "import", "rendercv", str(rendercv_yaml)], capture_output=True, text=True
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise SystemExit(f"`cvbuild import rendercv {rendercv_yaml.name}` failed: {result.stderr.strip()[-300:]}")
    path = rendercv_yaml.with_name(rendercv_yaml.stem + ".cvbuild.yaml")
    path.write_text(result.stdout, encoding="utf-8")
    return path


def pairs(rendercv: str, source: Path, profile: Path, tag: str, cases: list[str] | None = None) -> list[Pair]:
    made = []
    for i, (label, flags, formats) in enumerate(CASES):
        if cases is not None and CASE_KEYS[i] not in cases:
            continue
        out_rc, out_cv = source.parent / f"rc-{source.stem}-{i}", source.parent / f"cv-{source.stem}-{i}"
        made.append(
            Pair(
                f"{tag}: {label}",
                [rendercv, "render", source.name, "-o", str(out_rc), "-q", *flags],
                [*cvbuild_command(), "render", str(profile), "-o", str(out_cv), "-f", formats],
                out_rc,
                out_cv,
            )
        )
    return made


def outputs(folder: Path) -> str:
    """What a run wrote, by extension: `pdf, 2 png, typ`."""
    counts: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            counts[path.suffix.lstrip(".")] = counts.get(path.suffix.lstrip("."), 0) + 1
    return ", ".join(f"{n} {ext}" if n > 1 else ext for ext, n in sorted(counts.items()))


def measure(pair: Pair, work: Path, runs: int, env_rc: dict[str, str], env_cv: dict[str, str]) -> str:
    """Warm-up of both (page cache, bytecode; it also proves both render), then `runs` pairs."""
    for argv, env in ((pair.rendercv, env_rc), (pair.cvbuild, env_cv)):
        first = run_once(argv, work, env)
        if isinstance(first, str):
            raise SystemExit(f"{pair.label}: {' '.join(argv[:2])} failed: {first}")
    wrote = f"RenderCV wrote {outputs(pair.rendercv_out)}; cvbuild {outputs(pair.cvbuild_out)}"
    for i in range(runs):
        order = ((pair.rendercv, env_rc, pair.theirs), (pair.cvbuild, env_cv, pair.ours))
        for argv, env, into in order if i % 2 == 0 else order[::-1]:
            sample = run_once(argv, work, env)
            if isinstance(sample, str):
                raise SystemExit(f"{' '.join(argv[:2])} failed in run {i + 1}: {sample}")
            into.append(sample)
    return wrote


def row(pair: Pair) -> str:
    def med(samples: list[Sample], attr: str) -> float:
        return statistics.median(float(getattr(s, attr)) for s in samples)

    wall = statistics.median(o.wall / t.wall for o, t in zip(pair.ours, pair.theirs, strict=True))
    cpu = statistics.median(o.cpu / t.cpu for o, t in zip(pair.ours, pair.theirs, strict=True))
    loads = [s.load for s in pair.theirs + pair.ours]
    return (
        f"| {pair.label} | {med(pair.theirs, 'wall'):.3f} / {med(pair.theirs, 'cpu'):.3f} s "
        f"| {med(pair.ours, 'wall'):.3f} / {med(pair.ours, 'cpu'):.3f} s | {wall:.2f} | {cpu:.2f} "
        f"| {min(loads):.1f}–{max(loads):.1f} |"
    )


def png_per_page(pdf: Pair, png: Pair) -> str:
    """What the previews add, per page, for each side: a difference of two CPU medians (noisy)."""

    def per_page(only: list[Sample], both: list[Sample], folder: Path) -> str:
        pages = len(list(folder.glob("*.png")))
        extra = statistics.median(s.cpu for s in both) - statistics.median(s.cpu for s in only)
        return f"{1000 * extra / pages:.0f} ms ({pages} pages)" if pages else "no PNG written"

    theirs = per_page(pdf.theirs, png.theirs, png.rendercv_out)
    return f"RenderCV {theirs}, cvbuild {per_page(pdf.ours, png.ours, png.cvbuild_out)}"


def compare(
    rendercv: str,
    packages: Path | None,
    runs: int,
    pubs: list[int],
    work: Path,
    cases: list[str] | None = None,
    cold: bool = False,
) -> None:
    # cvbuild's caches in a folder of this run's own, as RenderCV's; with `cold`, none at all
    # (every cvbuild run a first render: no compiled templates, no Typst warm start).
    own = {"CVBUILD_CACHE_DIR": str(work / "cvbuild-cache")}
    env_rc, env_cv = rendercv_env(packages, work), child_env({**own, **({"CVBUILD_NO_CACHE": "1"} if cold else {})})
    sample = new_sample(rendercv, work, env_rc)
    probe = run_once([rendercv, "render", sample.name, "-o", str(work / "probe"), "-q"], work, env_rc)
    if isinstance(probe, str):  # before any cvbuild work: a missing Typst package shows here
        raise Skip(f"RenderCV cannot render here, so there is nothing to compare: {probe}")
    sources = [(sample, "RenderCV's sample")] + [(with_publications(sample, n), f"{n} publications") for n in pubs]
    todo = [p for source, tag in sources for p in pairs(rendercv, source, imported(source), tag, cases)]
    notes = [f"{p.label}: {measure(p, work, runs, env_rc, env_cv)}" for p in todo]
    version = subprocess.run([rendercv, "--version"], env=env_rc, capture_output=True, text=True).stdout.strip()
    print(f"{version or 'RenderCV'} beside cvbuild; {runs} paired fresh runs each, medians; {os.cpu_count()} CPUs")
    print("content: RenderCV's files, imported with `cvbuild import rendercv` for cvbuild")
    if cold:
        print("cvbuild without its caches (--cold): every run a first render")
    print("times: wall / CPU (user+system of the process); ratio: median of per-pair cvbuild/RenderCV\n")
    print("| case | RenderCV wall / CPU | cvbuild wall / CPU | ratio wall | ratio CPU | load |")
    print("|---|---|---|---|---|---|")
    for pair in todo:
        print(row(pair))
    print("\noutputs per case (after the warm-up run):")
    print("\n".join(f"- {note}" for note in notes))
    by_label = {p.label: p for p in todo}
    pdf_png = [
        (p, by_label.get(p.label.replace(CASES[0][0], CASES[1][0]))) for p in todo if p.label.endswith(CASES[0][0])
    ]
    if any(png for _, png in pdf_png):
        print("\nPNG per page (CPU median of the PDF + PNG case minus that of PDF only, over the PNG files):")
    for pdf, png in pdf_png:
        if png is not None:
            print(f"- {pdf.label.split(':')[0]}: {png_per_page(pdf, png)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rendercv", help="RenderCV's executable (default: $RENDERCV or `rendercv` on PATH)")
    parser.add_argument(
        "--typst-packages",
        type=Path,
        default=os.environ.get("RENDERCV_TYPST_PACKAGES") or None,
        help="a Typst package cache folder (DIR/preview/NAME/VERSION) for RenderCV's imports, to render offline",
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pubs", type=int, nargs="*", default=[], help="also the sample with N publications")
    parser.add_argument(
        "--cases",
        nargs="+",
        choices=CASE_KEYS,
        help="only these cases: pdf (PDF only), png (PDF + PNG), md (Markdown + HTML), all (every output)",
    )
    parser.add_argument(
        "--cold", action="store_true", help="cvbuild without its caches: each run a first render (CVBUILD_NO_CACHE=1)"
    )
    opts = parser.parse_args(argv)
    rendercv = find_rendercv(opts.rendercv)
    if rendercv is None:
        print("RenderCV is not installed: nothing to compare (install it in a separate venv, pass --rendercv)")
        return 0
    if opts.typst_packages is not None and not (opts.typst_packages / "preview").is_dir():
        print(f"--typst-packages {opts.typst_packages}: no preview/ folder there (see bench/README.md)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="cvbuild-compare-"))
    try:
        compare(rendercv, opts.typst_packages, opts.runs, opts.pubs, work, opts.cases, opts.cold)
    except Skip as reason:
        hint = "" if opts.typst_packages else " (offline? pass --typst-packages DIR, see bench/README.md)"
        print(f"{reason}{hint}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
