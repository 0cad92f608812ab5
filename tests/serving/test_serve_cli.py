"""``focuskit serve`` refuses bad input with a sentence, before starting anything; and the
helpers it gives the staff apps."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from conftest import ROOT

from focuskit.cli import main
from focuskit.config import respondent_base
from focuskit.links import make_link, sign_link
from focuskit.serving import ServeOptions, voila_command
from focuskit.testing import free_port


def refused(capsys, *args) -> str:
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("focuskit: ") and "Traceback" not in err
    return err


def test_a_port_in_use_is_named(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        assert f"--port {taken} is already in use" in refused(capsys, "--port", str(taken),
                                                              "--staff-port", str(free_port()))
        assert f"--staff-port {taken} is already in use" in refused(
            capsys, "--port", str(free_port()), "--staff-port", str(taken))


@pytest.mark.parametrize("args,says", [
    (["--host", "no-such-host.invalid"], "--host 'no-such-host.invalid' is not an address"),
    (["--host", "10.254.254.254"], "is not an address of this machine"),
    (["--port", "70000"], "--port must be a port number"),
    (["--port", "0"], "--port must be a port number"),
    (["--port", "9100", "--staff-port", "9100"], "must differ"),
    (["--max-kernels", "-1"], "--max-kernels must be 0 or more"),
    (["--staff-max-kernels", "-3"], "--staff-max-kernels must be 0 or more"),
    (["--preheat", "-1"], "--preheat must be 0 or more"),
    (["--expected", "-1"], "--expected must be 0 or more"),
    (["--cull-idle", "5"], "--cull-idle below 30 seconds"),
    (["--cell-timeout", "-2"], "--cell-timeout must be 0 or more"),
    (["--token", "a-key-long-enough-1234"], "--token-file"),  # ps would show it
    (["--token-file", "/no/such/key"], "--token-file /no/such/key: cannot read it"),
    (["--per-client-kernels", "-1"], "--per-client-kernels must be 0 or more"),
    (["--connect-within", "-1"], "--connect-within must be 0 or more"),
    (["--idle-close", "-1"], "--idle-close must be 0 or more"),
    (["--kernel-memory", "100"], "--kernel-memory below 256 MB"),
    (["--trusted-proxy", "proxy.example"], "--trusted-proxy 'proxy.example' is not an address"),
    (["--public-url", "survey.example.com/x"], "--public-url"),
])
def test_bad_options_get_a_sentence(capsys, args, says):
    assert says in refused(capsys, *args)


def test_a_folder_without_the_questionnaire_is_refused(capsys, tmp_path):
    assert "no take_assessment.ipynb" in refused(capsys, "--notebooks", str(tmp_path),
                                                 "--port", str(free_port()))


def test_a_bad_number_is_argparses_error_not_a_traceback():
    out = subprocess.run([sys.executable, "-m", "focuskit.cli", "serve", "--port", "abc"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "invalid int value: 'abc'" in out.stderr
    assert "Traceback" not in out.stderr


def test_voila_gets_the_projects_settings(tmp_path):
    (tmp_path / "results.ipynb").write_text("{}")
    cmd = voila_command(tmp_path, 9000, "127.0.0.1", door="staff", max_kernels=3,
                        pools={"results.ipynb": 1, "missing.ipynb": 2}, cull_idle=600,
                        cell_timeout=60)
    text = " ".join(cmd)
    for part in ("focuskit.serving.voila_main", "--strip_sources=True",
                 "--show_tracebacks=False", "--Voila.port_retries=0",
                 "--FocuskitVoila.max_kernels=3", "--MappingKernelManager.cull_idle_timeout=600",
                 "--MappingKernelManager.cull_connected=False", "--VoilaExecutor.timeout=60",
                 "--VoilaExecutor.interrupt_on_timeout=True", '"results.ipynb": {"pool_size": 1}',
                 # nbclient's 4 s blanked 12 of 30 questionnaires in a burst; fail loudly instead
                 "--VoilaExecutor.iopub_timeout=60", "--VoilaExecutor.raise_on_iopub_timeout=True"):
        assert part in text
    assert "missing.ipynb" not in text  # no pool for a notebook that is not there
    assert not any("token" in part.lower() for part in cmd)  # never on the command line


def test_respondent_base(monkeypatch):
    monkeypatch.delenv("FOCUSKIT_RESPONDENT_URL", raising=False)
    assert respondent_base() == "http://127.0.0.1:8866/voila/render/take_assessment.ipynb"
    url = "http://192.168.1.5:8866/voila/render/take_assessment.ipynb"
    monkeypatch.setenv("FOCUSKIT_RESPONDENT_URL", url + "?campaign=x")
    assert respondent_base() == url
    secret = b"0123456789abcdef0123"
    assert make_link(respondent_base(), "q1", "team", secret=secret) == \
        url + "?campaign=q1&group=team&sig=" + sign_link(secret, "q1", "team")


def test_the_command_line_and_the_options_share_one_set_of_defaults(monkeypatch):
    import dataclasses

    from focuskit import cli
    from focuskit.config import SERVE

    seen = {}
    monkeypatch.setattr("focuskit.serving.serve", lambda o: seen.setdefault("o", o) and 0)
    cli.main(["serve"])
    assert seen["o"] == ServeOptions()
    for f in dataclasses.fields(SERVE):
        name = "staff_pool_max_age" if f.name == "staff_preheat_max_age" else f.name
        assert getattr(ServeOptions(), name) == getattr(SERVE, f.name)


def test_serve_options_have_the_documented_defaults():
    o = ServeOptions()
    assert (o.host, o.port, o.staff_port, o.preheat, o.staff_preheat) == (
        "127.0.0.1", 8866, None, 2, 1)
    assert o.cull_idle > 0 and o.cell_timeout > 0 and o.max_kernels > 0


@pytest.mark.slow
def test_when_one_door_dies_the_other_stops_and_serve_fails(voila_server):
    import signal
    import time
    from pathlib import Path

    served = voila_server(args=("--preheat", "0", "--staff-preheat", "0"))
    pid = served.proc.pid
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    doors = {c: Path(f"/proc/{c}/cmdline").read_bytes() for c in children}
    staff = next(c for c, cmd in doors.items() if b"--FocuskitVoila.door=staff" in cmd)
    respondent = next(c for c, cmd in doors.items() if b"--FocuskitVoila.door=respondent" in cmd)
    os.kill(staff, signal.SIGKILL)
    assert served.proc.wait(60) != 0
    deadline = time.monotonic() + 30
    while Path(f"/proc/{respondent}").exists() and b"zombie" not in Path(
            f"/proc/{respondent}/status").read_bytes().lower():
        assert time.monotonic() < deadline, "the respondent door was left running"
        time.sleep(0.5)
    assert "the staff door stopped" in served.log.read_text()
