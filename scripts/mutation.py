"""Mutation testing of the core modules with mutmut: `make mutation` (too slow for CI).

For each core module, mutmut changes one thing at a time (an operator, a constant, a
condition) and runs the tests that concern that module; a mutant the tests still pass with
"survived": either a behaviour the README promises is untested, or the change makes no
difference ("equivalent"). Each module runs in its own scratch copy under var/mutation/ so the
working tree is never touched. The report, var/mutation/report.md, gives per module the mutants,
killed, timed out, survived and the score, then each survivor's diff, except those listed with
their reason in tests/mutation_equivalent.txt. A mutant that makes the tests run past mutmut's
CPU-time limit (about 30 times their usual time) is detected, as mutmut counts it: the tests would
never pass with it; the report gives those in their own column.

    .venv/bin/python scripts/mutation.py [MODULE ...] [--jobs 2]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "var" / "mutation"
EQUIVALENT = REPO / "tests" / "mutation_equivalent.txt"
MUTMUT = Path(sys.executable).with_name("mutmut")
PROPS = "tests/test_properties.py::"

# Each core module and the tests that speak for it.
TARGETS: dict[str, list[str]] = {
    "veille/ingest.py": ["tests/test_crawl.py", "tests/test_feed_parser.py"],
    "veille/fetch.py": ["tests/test_fetch.py"],
    "veille/urls.py": ["tests/test_text.py", "tests/test_crawl.py", PROPS + "test_canonical_urls_are_idempotent_and_keep_the_page"],
    "veille/text.py": ["tests/test_text.py", PROPS + "test_no_script_url_or_handler_ever_survives_sanitising"],
    "veille/classify.py": ["tests/test_classify.py", "tests/test_learned.py"],
    "veille/frenchdates.py": ["tests/test_frenchdates.py", PROPS + "test_any_french_date_reads_back_to_itself",
                              PROPS + "test_a_date_in_a_sentence_is_found"],
    "veille/effective.py": ["tests/test_effective.py"],
    "veille/sources/*": ["tests/test_feed_parser.py", "tests/test_html_source.py", "tests/test_jorf.py",
                         "tests/test_questions.py", "tests/test_dila_questions.py", "tests/test_jurisprudence.py"],
    "veille/jo_issue.py": ["tests/test_jorf.py", "tests/test_bulletin_build.py"],
    "veille/bulletins/build.py": ["tests/test_bulletin_build.py", "tests/test_bulletin_edges.py",
                                  "tests/test_editorial_desk.py"],
    "veille/bulletins/outbox.py": ["tests/test_outbox_policy.py", "tests/test_bulletin_mail.py"],
    "veille/search/query.py": ["tests/test_search_query.py", PROPS + "test_any_text_is_a_query",
                               PROPS + "test_every_way_of_excluding_a_word_means_the_same"],
    "veille/search/indexer.py": ["tests/test_search.py", "tests/test_search_cli.py"],
    "veille/numbers.py": ["tests/test_numbers.py"],
    "veille/search/params.py": ["tests/test_search_params.py"],  # the web's request parameters
}
COPIED = ("veille", "tests", "templates", "feeds.yaml", "pyproject.toml")
DETECTED = ("killed", "timeout")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help="e.g. veille/classify.py (all by default)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants tested at once")
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in TARGETS]
    if unknown:
        print(f"module inconnu : {', '.join(unknown)} (modules : {', '.join(TARGETS)})", file=sys.stderr)
        return 2
    equivalent = read_equivalent()
    rows, sections = [], []
    for module in args.modules or list(TARGETS):
        print(f"mutmut : {module}", flush=True)
        results, diffs = run(module, TARGETS[module], args.jobs)
        survivors = [name for name, state in results.items() if state not in DETECTED]
        timeouts = sum(state == "timeout" for state in results.values())
        detected = len(results) - len(survivors)
        explained = [name for name in survivors if name in equivalent]
        score = detected / len(results) if results else 1.0
        rows.append(f"| `{module}` | {len(results)} | {detected - timeouts} | {timeouts} | "
                    f"{len(survivors) - len(explained)} | {len(explained)} | {score:.0%} |")
        sections.append(section(module, survivors, equivalent, diffs))
        print(f"  {detected}/{len(results)} détectés ({score:.0%}) dont {timeouts} par délai dépassé, "
              f"{len(survivors) - len(explained)} à examiner", flush=True)
    write_report(rows, sections)
    print(f"Rapport : {OUT / 'report.md'}")
    return 0


def read_equivalent() -> dict[str, str]:
    """`mutant name: why it changes nothing` per line; # starts a comment."""
    found = {}
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
            name, _, why = line.split("#", 1)[0].partition(":")
            if name.strip():
                found[name.strip()] = why.strip()
    return found


def run(module: str, tests: list[str], jobs: int) -> tuple[dict[str, str], dict[str, str]]:
    """Mutate `module` in a scratch copy; each mutant's state and the diff of the survivors."""
    scratch = OUT / re.sub(r"\W+", "-", module).strip("-")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=shutil.ignore_patterns("__pycache__", "artifacts"))
        else:
            shutil.copy2(source, scratch / name)
    config = (f'\n[tool.mutmut]\nsource_paths = ["veille"]\nonly_mutate = ["{module}"]\n'
              f"pytest_add_cli_args_test_selection = {tests!r}\n".replace("'", '"')
              + 'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
              + 'also_copy = ["templates", "feeds.yaml"]\n')
    with (scratch / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(config)
    log = scratch / "mutmut.log"
    with log.open("w", encoding="utf-8") as out:
        subprocess.run([str(MUTMUT), "run", "--max-children", str(jobs)], cwd=scratch, stdout=out,
                       stderr=subprocess.STDOUT, check=False)
    listing = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=scratch, capture_output=True,
                             text=True, check=False).stdout
    results = dict(re.findall(r"^\s*(\S+): (\w[\w ]*)$", listing, re.M))
    if not results:
        print(f"  mutmut n'a rien produit : voir {log}", file=sys.stderr)
    diffs = {name: subprocess.run([str(MUTMUT), "show", name], cwd=scratch, capture_output=True, text=True,
                                  check=False).stdout
             for name, state in results.items() if state not in DETECTED}
    return results, diffs


def section(module: str, survivors: list[str], equivalent: dict[str, str], diffs: dict[str, str]) -> str:
    lines = [f"## `{module}`", ""]
    explained = [n for n in survivors if n in equivalent]
    if explained:
        lines += ["Équivalents (ne changent rien à ce que le README promet) :", ""]
        lines += [f"- `{name}` : {equivalent[name]}" for name in explained]
        lines.append("")
    for name in (n for n in survivors if n not in equivalent):
        lines += [f"### `{name}`", "", "```diff", diffs.get(name, "").strip(), "```", ""]
    if len(lines) == 2:
        lines.append("Aucun survivant.")
    return "\n".join(lines)


def write_report(rows: list[str], sections: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    head = ["# Tests de mutation", "",
            "| module | mutants | tués | délai dépassé | survivants à examiner | équivalents | score |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    (OUT / "report.md").write_text("\n".join(head + rows) + "\n\n" + "\n\n".join(sections) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
