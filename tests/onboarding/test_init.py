"""`kdirectory init`: a new project that validates and builds at once."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.onboarding.project_init import init_project
from kdirectory.record.config import load_config

runner = CliRunner()


def test_init_then_validate_then_build(tmp_path: Path) -> None:
    root = tmp_path / "my-directory"
    result = runner.invoke(app, ["init", str(root)])
    assert result.exit_code == 0, result.output
    assert f"created {root / 'kdirectory.toml'}" in result.output
    assert "Next: edit" in result.output

    validated = runner.invoke(app, ["validate", str(root), "--strict"])
    assert validated.exit_code == 0, validated.output
    assert validated.output.strip().endswith("1 file, 1 clinic, 0 errors, 0 warnings")

    built = runner.invoke(app, ["build", str(root)])
    assert built.exit_code == 0, built.output
    assert (root / "site" / "index.html").is_file()
    assert (root / "site" / "clinics" / "example-ketamine-clinic" / "index.html").is_file()
    assert (root / "site" / "ca" / "escondido" / "index.html").is_file()


def test_init_writes_commented_config_gitignore_and_editor_schema(tmp_path: Path) -> None:
    result = init_project(tmp_path / "new")
    root = result.root
    assert result.files == [
        ".gitignore",
        ".vscode/settings.json",
        "clinic.schema.json",
        "data/clinics/example-ketamine-clinic.yaml",
        "kdirectory.toml",
    ]
    config_text = (root / "kdirectory.toml").read_text(encoding="utf-8")
    assert config_text.count("#") > 10  # explained, line by line
    tomllib.loads(config_text)
    config = load_config(root)
    assert config.geocoder.provider == "offline"
    assert config.build.out == "site"

    ignored = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/site/", ".kdirectory/", "rejected.csv"} <= set(ignored)

    # the editor association points at a schema file that exists and checks the example
    settings = json.loads((root / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    [(schema_path, globs)] = settings["yaml.schemas"].items()
    assert "data/clinics/*.yaml" in globs
    schema = json.loads((root / schema_path).read_text(encoding="utf-8"))
    example_path = root / "data" / "clinics" / "example-ketamine-clinic.yaml"
    example_text = example_path.read_text(encoding="utf-8")
    assert example_text.startswith("# yaml-language-server: $schema=../../clinic.schema.json")
    assert (example_path.parent / "../../clinic.schema.json").resolve() == root / schema_path
    example = yaml.safe_load(example_text)
    jsonschema.validate(example, schema)
    assert "555-01" in example["phone"]  # fictional number


def test_init_into_an_empty_folder(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    result = runner.invoke(app, ["init", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "data" / "clinics" / "example-ketamine-clinic.yaml").is_file()


def test_init_dot_fills_the_empty_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "here"
    root.mkdir()
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["init", "."])
    assert result.exit_code == 0, result.output
    assert (root / "kdirectory.toml").is_file()
    assert not [p for p in root.iterdir() if p.name.startswith(".kdirectory") or ".tmp" in p.name]


def test_init_refuses_a_folder_that_holds_files(tmp_path: Path) -> None:
    root = tmp_path / "taken"
    root.mkdir()
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["init", str(root)])
    assert result.exit_code == 2
    assert "is not empty (it holds notes.txt)" in result.output
    assert "nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # no staging left behind


def test_init_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 2
    assert "is a file" in result.output
    assert target.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("below", ["sub", "sub/deeper"])
def test_init_below_a_file_names_the_file(tmp_path: Path, below: str) -> None:
    blocking = tmp_path / "a-file"
    blocking.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["init", str(blocking / below)])
    assert result.exit_code == 2
    assert (
        f"error: cannot create {blocking / below}: {blocking} is a file, not a folder, so "
        "nothing can be created inside it" in result.output
    )
    assert "File exists" not in result.output and "Not a directory" not in result.output
    assert blocking.read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]  # no staging left behind


def test_init_at_or_below_a_broken_link_names_it(tmp_path: Path) -> None:
    link = tmp_path / "gone"
    link.symlink_to(tmp_path / "nowhere")
    result = runner.invoke(app, ["init", str(link)])
    assert result.exit_code == 2
    assert f"{link} is a link to nothing" in result.output
    result = runner.invoke(app, ["init", str(link / "sub")])
    assert result.exit_code == 2
    assert f"cannot create {link / 'sub'}: {link} is a link to nothing, not a folder" in (
        result.output
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone"]


def test_init_twice_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "once"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = runner.invoke(app, ["init", str(root)])
    assert result.exit_code == 2
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["init", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "kdirectory init my-directory" in result.output
