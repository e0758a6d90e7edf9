"""Offline checks of the Azure Pipelines definition: schema-valid, templates wired, variables documented,
stages in the agreed order with the deploy stages on main only. Broken copies prove the checks can fail."""

from __future__ import annotations

import copy
import re

import pytest

from tests.infra import pipelines_model
from tests.infra.pipelines_model import (
    REPO_ROOT,
    ROOT_PIPELINE,
    TEMPLATES,
    defined_variables,
    instantiate,
    load,
    pipeline_files,
    readme_variables,
    schema_problems,
    tasks,
    template_references,
    used_variables,
)

# Variables the matrix job gets from tools/ci_test_matrix.py, not from the pipeline definition.
MATRIX_VARIABLES = {"TEST_GROUP", "TEST_PATH"}
README = REPO_ROOT / "README.md"
BICEPPARAM = REPO_ROOT / "infra" / "main.bicepparam"


@pytest.fixture(scope="module")
def stages() -> dict[str, dict]:
    """Each stage of the root pipeline, by name, from the stage template it includes."""
    found = {}
    for template in template_references(ROOT_PIPELINE):
        for stage in instantiate(load(template))["stages"]:
            found[stage["stage"]] = stage
    return found


def _all_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in pipeline_files())


@pytest.mark.parametrize("path", pipeline_files(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_pipeline_file_is_valid_against_the_azure_pipelines_schema(path):
    assert schema_problems(load(path)) == []


def test_a_broken_pipeline_fails_validation():
    edge = load(TEMPLATES / "stages" / "deploy-edge.yml")
    steps = edge["stages"][0]["jobs"][0]["strategy"]["runOnce"]["deploy"]["steps"]
    steps[2]["inputs"]["deviceOption"] = "All Devices"
    assert any("deviceOption" in p for p in schema_problems(edge))
    root = load(ROOT_PIPELINE)
    root["stagez"] = root.pop("stages")
    assert schema_problems(root)


def test_the_added_code_coverage_entry_is_as_strict_as_the_schema():
    test_stage = load(TEMPLATES / "stages" / "test.yml")
    (publish,) = tasks(test_stage, "PublishCodeCoverageResults@2")
    publish["inputs"]["codeCoverageTool"] = "Cobertura"  # an input of @1 that @2 no longer has
    assert any("codeCoverageTool" in p for p in schema_problems(test_stage))
    del publish["inputs"]["codeCoverageTool"], publish["inputs"]["summaryFileLocation"]
    assert schema_problems(test_stage)


def test_validation_skips_with_the_path_when_the_shared_schemas_are_absent(monkeypatch, tmp_path):
    monkeypatch.setattr(pipelines_model, "SCHEMA", tmp_path / "shared" / "schemas" / "azure-pipelines.schema.json")
    pipelines_model.validator.cache_clear()
    try:
        with pytest.raises(pytest.skip.Exception, match=str(tmp_path)):
            schema_problems(load(ROOT_PIPELINE))
    finally:
        pipelines_model.validator.cache_clear()


def test_an_undeclared_template_parameter_is_an_error():
    with pytest.raises(KeyError, match="nosuch"):
        instantiate({"steps": [{"script": "echo ${{ parameters.nosuch }}"}]})


def test_every_referenced_template_exists_and_every_template_is_used():
    referenced = {ref for path in pipeline_files() for ref in template_references(path)}
    missing = sorted(str(ref) for ref in referenced if not ref.is_file())
    assert missing == []
    unused = sorted(str(p) for p in TEMPLATES.rglob("*.yml") if p.resolve() not in referenced)
    assert unused == []


def test_every_readme_variable_is_used_and_every_used_variable_is_documented():
    documented = readme_variables(README.read_text(encoding="utf-8"))
    assert {"AZURE_SERVICE_CONNECTION", "DOCKER_SERVICE_CONNECTION", "ACR_LOGIN_SERVER", "RESOURCE_GROUP",
            "IOT_HUB_NAME", "EDGE_DEVICE_ID", "ENVIRONMENT", "EDGE_TARGET_CONDITION"} <= set(documented)
    # The Bicep parameters file reads some variables from the environment of the deployment step.
    read_by_bicepparam = set(re.findall(r"readEnvironmentVariable\('([A-Z_]+)'", BICEPPARAM.read_text()))
    used = used_variables(_all_text()) | read_by_bicepparam
    assert sorted(set(documented) - used) == []
    defined = set().union(*(defined_variables(load(p)) for p in pipeline_files())) | MATRIX_VARIABLES
    assert sorted(used - set(documented) - defined) == []


def test_an_undocumented_or_unused_variable_is_caught():
    assert readme_variables("## CI/CD (Azure DevOps)\n\n| `IOT_HUB_NAME` | hub |\n| `NOT_USED` | x |\n") == ["IOT_HUB_NAME", "NOT_USED"]
    assert "NOT_USED" not in used_variables(_all_text())
    assert used_variables("x: $(ACR_LOGIN_SERVER) and $(Build.BuildId), c: variables['EDGE_TARGET_CONDITION']") == {
        "ACR_LOGIN_SERVER", "EDGE_TARGET_CONDITION"}


def test_four_stages_in_order_with_the_deploy_stages_on_main_only(stages):
    assert list(stages) == ["Test", "BuildPush", "DeployInfrastructure", "DeployEdge"]
    root = load(ROOT_PIPELINE)
    (is_main,) = [v["value"] for v in root["variables"] if v["name"] == "isMain"]
    assert "refs/heads/main" in is_main and "PullRequest" in is_main
    for name in ("DeployInfrastructure", "DeployEdge"):
        assert "eq(variables.isMain, 'true')" in stages[name]["condition"]
    assert "isMain" not in str(stages["Test"]) and "isMain" not in str(stages["BuildPush"])


def test_test_stage_runs_one_parallel_job_per_group_and_publishes_results_and_coverage(stages):
    jobs = {job["job"]: job for job in stages["Test"]["jobs"]}
    assert "tools/ci_test_matrix.py" in jobs["discover"]["steps"][0]["script"]
    assert jobs["pytest"]["strategy"]["matrix"] == "$[ dependencies.discover.outputs['groups.matrix'] ]"
    assert (REPO_ROOT / "tools" / "ci_test_matrix.py").is_file()
    script = " ".join(step.get("script", "") for step in jobs["pytest"]["steps"])
    assert "pytest $(TEST_PATH)" in script and "--junitxml" in script and "--cov=energy_edge" in script
    assert tasks(jobs["pytest"], "PublishTestResults@2")[0]["inputs"]["testResultsFormat"] == "JUnit"
    assert tasks(jobs["coverage"], "PublishCodeCoverageResults@2")[0]["inputs"]["summaryFileLocation"] == "coverage.xml"


def test_build_stage_builds_the_one_image_tagged_per_build(stages):
    build = stages["BuildPush"]
    docker = tasks(build, "Docker@2")
    assert [t["inputs"]["command"] for t in docker] == ["build", "push"]
    assert {t["inputs"]["tags"] for t in docker} == {"$(IMAGE_TAG)"}
    assert docker[0]["inputs"]["Dockerfile"] == "deployment/Dockerfile"
    tag = [v["value"] for v in load(ROOT_PIPELINE)["variables"] if v["name"] == "IMAGE_TAG"]
    assert tag == ["$(Build.BuildId)"]


def test_infrastructure_stage_deploys_the_bicep_files(stages):
    (cli,) = tasks(stages["DeployInfrastructure"], "AzureCLI@2")
    script = cli["inputs"]["inlineScript"]
    assert "az deployment group create" in script
    for path in re.findall(r'--(?:template-file|parameters) "([^"$]+)"', script):
        assert (REPO_ROOT / path).is_file(), path
    assert len(re.findall(r'--(?:template-file|parameters) "([^"$]+)"', script)) == 2


def test_edge_stage_generates_the_manifest_then_deploys_to_a_device_or_a_fleet(stages):
    edge_tasks = tasks(stages["DeployEdge"], "AzureIoTEdge@2")
    assert [t["inputs"]["action"] for t in edge_tasks] == [
        "Generate deployment manifest", "Deploy to IoT Edge devices", "Deploy to IoT Edge devices"]
    generate, single, fleet = edge_tasks
    assert generate["inputs"]["templateFilePath"] == "deployment/deployment.template.json"
    manifest = generate["inputs"]["deploymentManifestOutputPath"]
    assert single["inputs"]["deploymentFilePath"] == fleet["inputs"]["deploymentFilePath"] == manifest
    assert (single["inputs"]["deviceOption"], single["inputs"]["deviceId"]) == ("Single Device", "$(EDGE_DEVICE_ID)")
    assert (fleet["inputs"]["deviceOption"], fleet["inputs"]["targetcondition"]) == ("Multiple Devices", "$(EDGE_TARGET_CONDITION)")
    # Exactly one of the two runs: the conditions are each other's negation.
    assert single["condition"].replace("not(", "", 1).rstrip(")") == fleet["condition"].rstrip(")")
    assert single["inputs"]["priority"] == fleet["inputs"]["priority"] == "$(Build.BuildId)"


def test_deployment_template_placeholders_are_all_supplied(stages):
    """deployment/deployment.template.json (edgeHub issue) is filled by the Generate step: ${NAME} placeholders."""
    template = REPO_ROOT / "deployment" / "deployment.template.json"
    if not template.is_file():
        pytest.skip(f"{template} is not written yet (edgeHub issue)")
    (generate, *_) = tasks(stages["DeployEdge"], "AzureIoTEdge@2")
    # Placeholders are filled from the step's environment: its env mapping, the README's variables and the
    # variables the pipeline defines (Azure Pipelines exports every non-secret variable).
    supplied = set(generate.get("env", {})) | set(readme_variables(README.read_text(encoding="utf-8")))
    supplied |= set().union(*(defined_variables(load(p)) for p in pipeline_files()))
    placeholders = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", template.read_text(encoding="utf-8")))
    assert placeholders, "the template names no image or registry placeholder"
    assert sorted(placeholders - supplied) == []
    assert {"ACR_LOGIN_SERVER", "IMAGE_TAG"} <= set(generate["env"])  # the image of this build
