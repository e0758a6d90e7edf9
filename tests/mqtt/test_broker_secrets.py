"""Broker secrets (issue 11, item 9): never on a command line, key files 600, the local broker drops root."""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path

import pytest
import yaml

from energy_edge.adapters.transports.mosquitto_broker import MosquittoBroker, write_password_file

from ..helpers import require_binary
from .certs import make_tls_files

DEPLOYMENT = Path(__file__).resolve().parents[2] / "deployment"


def test_the_password_file_is_hashed_and_private_and_mosquitto_passwd_never_sees_a_password(tmp_path, monkeypatch):
    require_binary("mosquitto_passwd", "apt-get install mosquitto")
    import subprocess

    seen: list[list[str]] = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda argv, **kw: seen.append(list(argv)) or real_run(argv, **kw))
    path = write_password_file(tmp_path / "passwd", {"solar": "s3cret-solar", "operator": "s3cret-op"})
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    assert "s3cret" not in text
    assert re.fullmatch(r"(\w+:\$7\$\d+\$[^$\s]+\$[^$\s]+\n){2}", text), text
    assert seen and not any("s3cret" in part for argv in seen for part in argv)


def test_shipped_scripts_put_no_password_on_a_command_line():
    start = (DEPLOYMENT / "mosquitto" / "start.sh").read_text()
    assert "mosquitto_passwd -U" in start and "mosquitto_passwd -b" not in start
    compose = yaml.safe_load((DEPLOYMENT / "docker-compose.yml").read_text())
    check = " ".join(compose["services"]["mosquitto"]["healthcheck"]["test"])
    assert "-P" not in check and "PASSWORD" not in check
    conf = (DEPLOYMENT / "mosquitto" / "mosquitto.conf").read_text()
    assert "keyfile /mosquitto/secrets/server.key" in conf  # a copy made for the broker's user, mode 600
    mounts = compose["services"]["mosquitto"]["volumes"]
    assert not any("ca/" in mount or "ca.key" in mount for mount in mounts)


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping root needs root")
def test_a_broker_started_by_root_runs_as_an_unprivileged_user_with_its_own_copies_of_the_secrets(tmp_path):
    require_binary("mosquitto", "apt-get install mosquitto")
    require_binary("mosquitto_passwd", "apt-get install mosquitto")
    tls = make_tls_files(tmp_path)
    broker = MosquittoBroker(tmp_path / "broker", password_file=write_password_file(tmp_path / "passwd", {"a": "b"}),
                             tls=tls).start()
    try:
        owner = Path(f"/proc/{broker._process.pid}").stat().st_uid
        assert owner != 0 and pwd.getpwuid(owner).pw_name in ("mosquitto", "nobody")
        key = broker.data_dir / "server.key"
        assert key.stat().st_uid == owner and key.stat().st_mode & 0o777 == 0o600
        assert "user " in broker.conf_file.read_text()
    finally:
        broker.discard()
    assert not broker.data_dir.exists() or broker.data_dir == broker.workdir
