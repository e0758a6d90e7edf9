"""The edge image has no `quality` extra: energy_edge, the CLI and the quality modules must
still import, with scipy, matplotlib, tqdm and numpy loaded only when a quality run needs them."""

from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCKED = ("scipy", "matplotlib", "tqdm", "numpy")


def test_everything_imports_without_the_quality_extra():
    script = textwrap.dedent(f"""
        import importlib.abc, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {BLOCKED!r}:
                    raise ModuleNotFoundError(f"blocked: {{name}}")
                return None

        sys.meta_path.insert(0, Block())
        import energy_edge
        from energy_edge.entrypoints.cli import build_parser
        build_parser()
        import energy_edge.quality.suite, energy_edge.quality.kpis, energy_edge.entrypoints.quality_site
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {BLOCKED!r})
        assert not loaded, loaded
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
