"""The edge image has neither the lab extra nor the lab: the edge CLI must import and answer
--help for every command, and `simulate`/`quality` must say where they went; the lab itself
loads scipy, matplotlib, tqdm and numpy only when a run needs them."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BLOCKED = ("scipy", "matplotlib", "tqdm", "numpy")


def _run_blocked(body: str, blocked: tuple[str, ...]) -> subprocess.CompletedProcess:
    script = textwrap.dedent(f"""
        import importlib.abc, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {blocked!r}:
                    raise ModuleNotFoundError(f"blocked: {{name}}")
                return None

        sys.meta_path.insert(0, Block())
    """) + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_the_edge_cli_answers_help_for_every_command_without_the_lab():
    result = _run_blocked("""
        import contextlib, io
        from energy_edge.entrypoints.cli import build_parser
        parser = build_parser()
        commands = next(a for a in parser._actions if a.dest == "command").choices
        for name in commands:
            with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
                parser.parse_args([name, "--help"])
        with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()) as top:
            parser.parse_args(["--help"])
        listed = [line.split()[0] for line in top.getvalue().splitlines() if line.startswith("    ")]
        assert "simulate" not in listed and "quality" not in listed and "up" in listed, listed
        assert not [m for m in sys.modules if m.startswith("energy_edge_lab")]
        print("ok")
    """, (*BLOCKED, "energy_edge_lab"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("command", ["simulate", "quality"])
def test_the_moved_commands_say_where_they_went(command):
    result = _run_blocked(f"""
        from energy_edge.entrypoints.cli import main
        sys.exit(main([{command!r}, "--scenario", "x"]))
    """, (*BLOCKED, "energy_edge_lab"))
    assert result.returncode == 2
    assert f"energy-edge-lab {command}" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_lab_imports_without_its_extra():
    result = _run_blocked("""
        from energy_edge_lab.cli import build_parser
        build_parser()
        import energy_edge_lab.suite, energy_edge_lab.kpis, energy_edge_lab.stepped_site
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {blocked!r})
        assert not loaded, loaded
        print("ok")
    """.replace("{blocked!r}", repr(BLOCKED)), BLOCKED)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
