"""The GitHub Action's last step: a job summary and step outputs from `cvbuild render --report` files.

Run as `python -m cvbuild.ci REPORT_DIR --profile P --output-dir D`; it reads GITHUB_STEP_SUMMARY and
GITHUB_OUTPUT from the environment, as every Actions step does. When no report was written
(validation failed), the summary lists the profile's problems instead.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cvbuild import __version__


def read_reports(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def summary_markdown(reports: Sequence[Mapping[str, Any]], problems: Sequence[Mapping[str, Any]] = ()) -> str:
    """Documents, files with pages and sizes, then warnings and errors, as GitHub-flavoured Markdown."""
    outputs = [o for r in reports for o in r.get("outputs", [])]
    diagnostics = [*problems, *(d for r in reports for d in r.get("diagnostics", []))]
    failed = bool(problems) or any(r.get("exit_code", 0) != 0 for r in reports) or not reports
    title = "CV build failed" if failed else "CV built"
    lines = [f"## {title} (cvbuild {__version__})", ""]
    if outputs:
        docs = sorted({str(o["document"]) for o in outputs})
        lines += [f"Documents: {', '.join(f'`{d}`' for d in docs)}", ""]
        lines += ["| document | file | pages | size |", "| --- | --- | ---: | ---: |"]
        for o in outputs:
            pages = "" if o.get("pages") is None else str(o["pages"])
            lines.append(f"| {o['document']} | `{_cell(str(o['file']))}` | {pages} | {human_size(int(o['bytes']))} |")
        lines.append("")
    for severity, heading in (("error", "Errors"), ("warning", "Warnings")):
        found = [d for d in diagnostics if d.get("severity") == severity]
        if found:
            lines += [f"### {heading} ({len(found)})", ""]
            lines += [f"- {_cell(diagnostic_line(d))}" for d in found]
            lines.append("")
    if failed and not diagnostics:
        lines += ["Nothing was rendered; see the log of this step.", ""]
    return "\n".join(lines)


def diagnostic_line(d: Mapping[str, Any]) -> str:
    where = ""
    if d.get("file"):
        where = str(d["file"]) + (f":{d['line']}:{d.get('column') or 1}" if d.get("line") else "")
        where = f"`{where}` "
    path = f"{d['path']}: " if d.get("path") else ""
    hint = f"; {d['hint']}" if d.get("hint") else ""
    return f"{where}{path}{d['message']}{hint}"


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def _cell(text: str) -> str:
    """Keep a value on its table row: no pipes or line breaks from user text."""
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def step_outputs(reports: Sequence[Mapping[str, Any]], output_dir: str) -> str:
    """GITHUB_OUTPUT lines: `files` (one path a line, what upload-artifact's `path` takes) and `output-dir`."""
    files = [str(o["file"]) for r in reports for o in r.get("outputs", [])]
    delimiter = f"cvbuild_{secrets.token_hex(8)}"  # a multi-line value ends at a line no path can equal
    body = "".join(f"{f}\n" for f in files)
    return f"files<<{delimiter}\n{body}{delimiter}\noutput-dir={output_dir}\n"


def profile_problems(profile: Path) -> list[dict[str, Any]]:
    """The profile's problems as JSON diagnostics, for a summary when validation stopped the job."""
    from cvbuild.diagnostics import Diagnostic, workspace_root
    from cvbuild.errors import CvbuildError
    from cvbuild.loading.profile import load_profile

    try:
        load_profile(profile)
    except CvbuildError as exc:
        found = [Diagnostic.from_problem(p) for p in getattr(exc, "problems", [])] or [Diagnostic(str(exc))]
        return [d.as_json(workspace_root()) for d in found]
    return []


def main(argv: Sequence[str], env: Mapping[str, str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cvbuild.ci")
    parser.add_argument("reports", type=Path)
    parser.add_argument("--profile", type=Path, required=True)
    parser.add_argument("--output-dir", required=True)
    args = parser.parse_args(argv)
    reports = read_reports(args.reports) if args.reports.is_dir() else []
    problems = [] if reports else profile_problems(args.profile)
    summary = summary_markdown(reports, problems)
    for name, text in (
        ("GITHUB_STEP_SUMMARY", summary + "\n"),
        ("GITHUB_OUTPUT", step_outputs(reports, args.output_dir)),
    ):
        if env.get(name):
            with open(env[name], "a", encoding="utf-8") as fh:
                fh.write(text)
        else:
            sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ))
