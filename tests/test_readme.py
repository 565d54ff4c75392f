"""The README's walkthroughs run as written: a newcomer pastes them into a shell.

Each `sh` block below a heading is run by bash in an empty folder with the installed `renkei`
first on PATH and a fresh SQLite file, on today's real date (the blocks compute their dates
with `date`). The interactive tail of a block (`renkei run`, the `sales>` prompt) is left out:
the terminal adapter has tests of its own. The README drifted twice before this test (a demo
company code and an export path the demo does not make).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BIN = str(Path(sys.executable).parent)
INTERACTIVE = ("renkei run", "sales>", "kikaku>")


def sh_block(heading: str) -> str:
    """The first ```sh block after the line that starts with `heading`."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    opening = next(i for i in range(start, len(lines)) if lines[i].strip() == "```sh")
    closing = next(i for i in range(opening + 1, len(lines)) if lines[i].strip() == "```")
    return "\n".join(line for line in lines[opening + 1:closing]
                     if not line.lstrip().startswith(INTERACTIVE))


def run_block(heading: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "EXPORT_", "KINTONE_", "SMTP_", "RENKEI_NOW"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               DATABASE_URL=f"sqlite:///{cwd / 'renkei.db'}")
    return subprocess.run(["bash", "-e", "-c", sh_block(heading)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_offline_register_walkthrough(tmp_path: Path) -> None:
    done = run_block("### A register that was offline", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "receipts made offline arrived now" in done.stdout
    assert "2 late days" in done.stdout and "revisions enqueued" in done.stdout
    # the grep line finds revision 2 in the export files the README names
    assert '"revision":2' in done.stdout and '-r1"' in done.stdout, done.stdout[-2000:]
    assert "Traceback" not in done.stderr


def test_the_mapping_drift_walkthrough(tmp_path: Path) -> None:
    done = run_block("## Mapping drift", tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # mapping list shows what the partner was told; the scan finds the three new items
    assert "現金" in out and "店舗連携（依頼外）" in out
    assert "3 new items in draft 1" in out, out[-2000:]
    assert "支払科目 09:楽天ペイ  店舗 0002" in out and "客層 7:インバウンド" in out
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("heading", ["### A register that was offline", "## Mapping drift"])
def test_each_walkthrough_names_only_what_renkei_has(heading: str) -> None:
    """Every `renkei …` line of a walkthrough is a command `renkei --help` lists."""
    from typer.main import get_command

    from bot.cli import app

    known = set(get_command(app).commands)  # type: ignore[attr-defined]
    used = {line.split()[1] for line in sh_block(heading).splitlines()
            if line.startswith("renkei ")}
    assert used and used <= known, used - known
