"""The package order in .importlinter holds (the same check as running `lint-imports`).

docs/DEVELOPING.md explains the order; a consequence that must go upward uses an
effect (coopkit/effects.py) instead of an import."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"


def test_every_import_contract_is_kept():
    # In a child process: import-linter imports every coopkit module and changes the logging set-up,
    # which would leave later tests in this process without their log lines (caplog).
    script = f"from importlinter.cli import lint_imports; import sys; " \
             f"sys.exit(lint_imports(config_filename={str(CONFIG)!r}, no_cache=True, no_logo=True))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert "2 kept, 0 broken" in result.stdout


def _copy_package(tmp_path: Path) -> Path:
    target = tmp_path / "coopkit"
    shutil.copytree(ROOT / "coopkit", target, ignore=shutil.ignore_patterns(
        "templates", "static", "rules_templates", "migrations", "__pycache__", "*.toml", "guides"))
    return target


def _lint_copy(tmp_path: Path) -> subprocess.CompletedProcess:
    # The editable install's finder would import the real package: drop it for the copy.
    script = textwrap.dedent(f"""
        import sys
        sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
        sys.path.insert(0, {str(tmp_path)!r})
        from importlinter.cli import lint_imports
        sys.exit(lint_imports(config_filename={str(CONFIG)!r}, no_cache=True, no_logo=True))
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=120)


UPWARD_IMPORTS = [
    # a lower feature reaching up (rules registering members itself instead of the effect)
    ("rules/queries.py", "from coopkit.register import services as _upward"),
    # a shared part reaching up into a feature
    ("coops/policy.py", "from coopkit.proposals import models as _upward"),
    # a pure core reaching for the database
    ("proposals/tally.py", "from coopkit.extensions import db as _upward"),
]


def test_an_upward_import_breaks_the_contracts(tmp_path):
    package = _copy_package(tmp_path)
    clean = _lint_copy(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr  # the copy itself is clean
    for module, upward_import in UPWARD_IMPORTS:
        path = package / module
        original = path.read_text()
        path.write_text(original + f"\n{upward_import}  # noqa\n")
        broken = _lint_copy(tmp_path)
        path.write_text(original)
        assert broken.returncode == 1, (module, broken.stdout + broken.stderr)
        assert "BROKEN" in broken.stdout
        assert upward_import.split()[1] in broken.stdout, broken.stdout
