"""tools/ci_test_matrix.py: the Test stage's one-job-per-group matrix, discovered from the tests folder."""

from __future__ import annotations

import importlib.util
import json

import pytest

from tests.infra.pipelines_model import REPO_ROOT

_spec = importlib.util.spec_from_file_location("ci_test_matrix", REPO_ROOT / "tools" / "ci_test_matrix.py")
ci_test_matrix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ci_test_matrix)

PREFIX = "##vso[task.setvariable variable=matrix;isOutput=true]"


@pytest.fixture
def tests_root(tmp_path):
    root = tmp_path / "tests"
    for relative in ("domain/assets/test_battery.py", "e2e-slow/test_site.py", "contract/test_contract.py",
                     "helpers_pkg/__init__.py", "__pycache__/test_x.py", "conftest.py"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("")
    return root


def test_one_job_per_folder_holding_tests(tests_root):
    assert ci_test_matrix.matrix(tests_root) == {
        "contract": {"TEST_GROUP": "contract", "TEST_PATH": "tests/contract"},
        "domain": {"TEST_GROUP": "domain", "TEST_PATH": "tests/domain"},
        "e2e_slow": {"TEST_GROUP": "e2e-slow", "TEST_PATH": "tests/e2e-slow"},
    }


def test_test_files_directly_in_tests_get_their_own_job(tests_root):
    (tests_root / "test_top.py").write_text("")
    assert ci_test_matrix.matrix(tests_root)["root"] == {"TEST_GROUP": "root", "TEST_PATH": "tests/test_*.py"}


def test_prints_the_output_variable_logging_command(tests_root, capsys):
    assert ci_test_matrix.main(["ci_test_matrix.py", str(tests_root)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(PREFIX)
    assert set(json.loads(line[len(PREFIX):])) == {"contract", "domain", "e2e_slow"}


def test_no_groups_is_an_error(tmp_path, capsys):
    (tmp_path / "tests").mkdir()
    assert ci_test_matrix.main(["ci_test_matrix.py", str(tmp_path / "tests")]) == 1
    assert "no test groups" in capsys.readouterr().err


def test_the_real_tests_folder_includes_this_group():
    assert ci_test_matrix.matrix(REPO_ROOT / "tests")["infra"] == {"TEST_GROUP": "infra", "TEST_PATH": "tests/infra"}
