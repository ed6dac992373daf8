"""The wheel installs and serves: templates, static files, rule sets and migrations ship inside it.

Builds the wheel from a copy of the source (``pip wheel --no-deps``, no build isolation,
so it works offline), installs it with ``--no-deps`` into a fresh venv that sees this
venv's dependencies (a .pth line, not the editable checkout), runs ``coopkit demo
--no-serve`` in an empty working directory and fetches every section's landing page as
the demo secretary. Slow (about a minute); it runs in CI with the rest of the suite."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PAGES = """
import json, re, sys
from coopkit import create_app, PACKAGE_DIR
from coopkit.demo import DEMO_PASSWORD, PRESTON_DIGITAL_MEMBERS
from coopkit.web import COOP_SECTIONS

app = create_app()
client = app.test_client()
result = {"package_dir": str(PACKAGE_DIR), "instance_path": app.instance_path, "pages": {}}

def token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

result["landing"] = client.get("/").status_code  # before logging in (afterwards it leads to /c/)
login = client.get("/login")
response = client.post("/login", data={"csrf_token": token(login.text), "email": PRESTON_DIGITAL_MEMBERS[0][1],
                                       "password": DEMO_PASSWORD})
result["login"] = response.status_code
paths = ["/c/", "/c/preston-digital/", "/static/coopkit.css"]
with app.test_request_context():
    from flask import url_for
    paths += [url_for(endpoint, slug="preston-digital") for endpoint, _, _ in COOP_SECTIONS]
for path in paths:
    result["pages"][path] = client.get(path).status_code
print(json.dumps(result))
"""


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    completed = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert completed.returncode == 0, f"{args}\n{completed.stdout}\n{completed.stderr}"
    return completed


@pytest.mark.slow
def test_the_wheel_installs_runs_the_demo_and_serves_every_section(tmp_path):
    # Build from a copy, so the checkout gets no build/ or egg-info of the test's making.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "coopkit", source / "coopkit", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", str(dist), str(source)])
    [wheel] = dist.glob("coopkit-*.whl")
    # Every file of the package ships (templates, static files, rule sets, migrations, data), not only .py.
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.startswith("coopkit/")}
    files = {path.relative_to(source).as_posix() for path in (source / "coopkit").rglob("*") if path.is_file()}
    assert files - shipped == set()

    # A fresh venv; this venv's site-packages (the dependencies) are added after its own by a .pth line.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
                   .stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    (purelib / "test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
          str(wheel)])

    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COOPKIT_", "PYTHON", "FLASK_"))}
    demo = _run([str(venv / "bin" / "coopkit"), "demo", "--no-serve"], cwd=work, env=env)
    assert "Demo log-ins" in demo.stdout
    assert (work / "instance" / "coopkit.db").exists()  # an installed package keeps its data in ./instance

    pages = _run([str(python), "-c", textwrap.dedent(PAGES)], cwd=work, env=env)
    result = json.loads(pages.stdout.strip().splitlines()[-1])
    # The installed package answered, not this checkout.
    assert Path(result["package_dir"]).is_relative_to(purelib)
    assert Path(result["instance_path"]) == work / "instance"
    assert (result["landing"], result["login"]) == (200, 302)
    assert len(result["pages"]) >= 9
    assert result["pages"] == {path: 200 for path in result["pages"]}, result["pages"]
