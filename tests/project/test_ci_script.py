"""``.ci/run`` tests every Python the package claims, and refuses to pass on fewer than two.

These run the real script against a PATH made for the test: it must tell an interpreter
that runs from one that only claims to (a pyenv shim for a version pyenv has not selected)
and from one that answers as another version, and stop before installing anything.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ..hostile import wait_until
from ..verifier.verifier_helpers import alive

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "run"
PYPROJECT = ROOT / "pyproject.toml"
BASH = shutil.which("bash")
THIS = f"{sys.version_info.major}.{sys.version_info.minor}"
#: what the script needs besides the interpreters (bash builtins aside)
TOOLS = ("dirname", "basename", "grep", "sort", "tail", "rm")

pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed: .ci/run is a bash script")


def claimed_versions() -> list[str]:
    """The Pythons pyproject.toml's classifiers name (read as text: tomllib is 3.11+)."""
    return re.findall(r'^\s*"Programming Language :: Python :: (3\.\d+)",$', PYPROJECT.read_text(), re.M)


def script_versions() -> list[str]:
    found = re.search(r"^VERSIONS=\(([^)]*)\)$", SCRIPT.read_text(), re.M)
    assert found, ".ci/run names the versions it tests in VERSIONS=(...)"
    return found.group(1).split()


def test_the_script_tests_exactly_the_pythons_the_package_claims() -> None:
    assert script_versions() == claimed_versions() == ["3.10", "3.11", "3.12", "3.13"]
    assert f'requires-python = ">={claimed_versions()[0]}"' in PYPROJECT.read_text().splitlines()
    assert THIS in claimed_versions()  # the suite itself runs on a claimed version


def test_the_script_names_no_absolute_path_of_a_machine() -> None:
    text = SCRIPT.read_text()
    assert not re.search(r"(?<![\w.$}])/(work|root|home|tmp|opt)/", text)


def make_path(tmp_path: Path, interpreters: dict[str, str]) -> str:
    """A directory holding the tools the script uses and the given ``python3.X`` files,
    each a symlink to an interpreter or a script's text."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        where = shutil.which(tool)
        assert where, f"{tool} is not installed"
        (bin_dir / tool).symlink_to(where)
    for name, target in interpreters.items():
        if target.startswith("#!"):
            (bin_dir / name).write_text(target)
            (bin_dir / name).chmod(0o755)
        else:
            (bin_dir / name).symlink_to(target)
    return str(bin_dir)


def run_script(path: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYENV", "VIRTUAL_ENV"))}
    environment["PATH"] = path
    assert BASH is not None
    return subprocess.run(  # noqa: S603
        [BASH, str(SCRIPT)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_one_python_that_runs_is_not_enough(tmp_path: Path) -> None:
    others = [v for v in script_versions() if v != THIS]
    shim = '#!/bin/sh\necho "pyenv: $(basename "$0"): command not found" >&2\nexit 127\n'
    path = make_path(
        tmp_path,
        {
            f"python{THIS}": sys.executable,  # the one real interpreter
            f"python{others[0]}": shim,  # claims a version it cannot run
            f"python{others[1]}": sys.executable,  # runs, but as another version
        },
    )
    completed = run_script(path)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert f"== Python {THIS}: {path}/python{THIS}" in completed.stdout
    assert f"== Python {others[0]}: not found on this machine" in completed.stdout
    assert f"== Python {others[1]}: not found on this machine" in completed.stdout
    assert "== FAIL: found 1 of the supported Pythons (3.10 3.11 3.12 3.13); CI needs at least 2" in completed.stderr
    assert "=================== Python" not in completed.stdout  # it started no version's install


def test_no_python_at_all_fails_the_same_way(tmp_path: Path) -> None:
    completed = run_script(make_path(tmp_path, {}))
    assert completed.returncode == 1
    assert "== FAIL: found 0 of the supported Pythons" in completed.stderr
    assert "=================== Python" not in completed.stdout


def test_the_script_runs_the_readmes_test_command_on_each_python() -> None:
    readme = (ROOT / "README.md").read_text()
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest -q"
    assert f"```sh\n{command}\n```" in readme
    lines = [line.strip() for line in SCRIPT.read_text().splitlines() if "-m pytest" in line]
    assert len(lines) == 1, lines
    # the script's own additions: a subshell in the background (see on_signal), quiet pip,
    # a note that the install went through, a copy of the output
    assert lines[0].startswith("(") and lines[0].endswith(") &"), lines[0]
    steps = [step.strip() for step in lines[0][1:-3].split("&&") if not step.strip().startswith(": >")]
    steps[0] = steps[0].replace('"$python"', "python3")
    steps[1] = steps[1].replace("install -q ", "install ")
    steps[-1] = steps[-1].partition(" | tee ")[0]
    as_in_readme = re.sub(r'"\$venv(/bin/\w+)?"', r".venv\1", " && ".join(steps))
    assert as_in_readme == command


#: the fake ``pytest`` of `test_a_signal_ends_the_run_in_progress_and_leaves_no_process`:
#: says it started, and on SIGINT (pytest's KeyboardInterrupt) says so and exits
_FAKE_PYTEST = """\
import os, signal, sys
from pathlib import Path

state = Path(os.environ["APACT_CI_SIGNAL_TEST"])

def interrupted(signum, frame):
    (state / "interrupted").write_text(str(signum))
    sys.exit(2)

signal.signal(signal.SIGINT, interrupted)
# written whole, then renamed: the test reads it as soon as it exists
(state / "pytest.pid.new").write_text(str(os.getpid()))
os.replace(state / "pytest.pid.new", state / "pytest.pid")
while True:
    signal.pause()
"""


def fake_python(version: str, venv_python: Path) -> str:
    """A ``python{version}`` that is just enough of one for the script: it says it runs
    as that version, and its ``-m venv`` makes a venv whose pip installs nothing and whose
    python runs `_FAKE_PYTEST`."""
    return (
        "#!/bin/sh\n"
        'case "$1" in\n'
        f"  -c) echo {version} ;;\n"
        f"  --version) echo 'Python {version}.99' ;;\n"
        f'  -m) mkdir -p "$3/bin" && printf "#!/bin/sh\\nexit 0\\n" > "$3/bin/pip" && chmod +x "$3/bin/pip"'
        f' && ln -s {venv_python} "$3/bin/python" ;;\n'
        "esac\n"
    )


@pytest.mark.parametrize("how", ["SIGTERM to the script", "SIGINT to its process group"])
def test_a_signal_ends_the_run_in_progress_and_leaves_no_process(tmp_path: Path, how: str) -> None:
    """A cancelled CI job (SIGTERM) or Ctrl-C (SIGINT to the terminal's process group)
    while a version's suite runs: the suite gets SIGINT, as pytest wants it (fixtures
    torn down), the script stops at once with the signal's status, no version after it
    starts, and nothing it started is left running. On a copy of the script, in a
    checkout of its own, with fake Pythons (nothing is installed)."""
    checkout = tmp_path / "checkout"
    (checkout / ".ci").mkdir(parents=True)
    shutil.copy(SCRIPT, checkout / ".ci" / "run")
    state = tmp_path / "state"
    state.mkdir()
    runner = tmp_path / "fake_pytest"
    runner.write_text(f'#!/bin/sh\nexec {sys.executable} {tmp_path / "fake_pytest.py"} "$@"\n')
    runner.chmod(0o755)
    (tmp_path / "fake_pytest.py").write_text(_FAKE_PYTEST)
    first, second = script_versions()[:2]
    path = make_path(tmp_path, {f"python{v}": fake_python(v, runner) for v in (first, second)})
    for tool in ("id", "sleep", "mkdir", "chmod", "ln"):
        (Path(path) / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    (Path(path) / "apt-get").write_text("#!/bin/sh\nexit 0\n")  # the system packages: nothing to do
    (Path(path) / "apt-get").chmod(0o755)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYENV", "VIRTUAL_ENV"))}
    environment.update(PATH=path, APACT_CI_SIGNAL_TEST=str(state))
    assert BASH is not None
    # SIGINT at its default in the script, whatever this suite was started with (a shell
    # ignores SIGINT in what it starts in the background, and bash cannot trap a signal
    # ignored when it started): as a CI runner or a terminal starts it
    default_sigint = (
        "import os, signal, sys\nsignal.signal(signal.SIGINT, signal.SIG_DFL)\nos.execv(sys.argv[1], sys.argv[1:])"
    )
    script = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", default_sigint, BASH, str(checkout / ".ci" / "run")],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal's foreground job
    )
    try:
        wait_until(lambda: (state / "pytest.pid").exists() or script.poll() is not None, 60, "the suite started")
        assert script.poll() is None, script.communicate()
        suite = int((state / "pytest.pid").read_text())
        if how == "SIGTERM to the script":
            script.send_signal(signal.SIGTERM)
        else:
            os.killpg(script.pid, signal.SIGINT)
        stdout, stderr = script.communicate(timeout=60)
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
            script.wait()
        for stream in (script.stdout, script.stderr):  # (left open if the test failed before communicate)
            if stream is not None:
                stream.close()
        # the fake suite has a process group of its own (set -m): should the script fail to
        # end it, the test does, rather than leave it behind
        started = state / "pytest.pid"
        if started.exists() and alive(int(started.read_text())):
            os.kill(int(started.read_text()), signal.SIGKILL)
    name = "SIGTERM" if how.startswith("SIGTERM") else "SIGINT"
    assert script.returncode == 128 + getattr(signal, name), stdout + stderr
    assert f"== stopped by {name}: ending the run in progress" in stderr
    assert (state / "interrupted").read_text() == str(int(signal.SIGINT))  # the suite's own way out
    assert not alive(suite)
    assert f"=================== Python {first} " in stdout
    assert f"=================== Python {second} " not in stdout  # nothing after it started
