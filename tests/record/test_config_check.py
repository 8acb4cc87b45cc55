"""``[check]`` in kdirectory.toml: ``external_paths``, the paths on the site's own host that
another application serves, and every way a value is refused (the message naming the file,
the key, its line and the fix; the command line exits 2)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kdirectory.cli import app
from kdirectory.exceptions import ConfigError
from kdirectory.record.config import SiteConfig, load_config
from tests.helpers import GOOD_RECORD, ProjectFactory

CONFIG = """\
[site]
name = "Harbor"
base_url = "https://harbor.example"

[check]
external_paths = {paths}
"""


def test_external_paths_are_read_as_written(make_project: ProjectFactory) -> None:
    root = make_project(config=CONFIG.format(paths='["/book", "/patient-portal/", "/a%20b"]'))
    assert load_config(root).check.external_paths == ("/book", "/patient-portal/", "/a%20b")


def test_there_are_none_by_default(make_project: ProjectFactory) -> None:
    assert SiteConfig().check.external_paths == ()
    assert load_config(make_project(config='[site]\nname = "Harbor"\n')).check.external_paths == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"book"', '"book" is not a path on the site\'s host: write it from its first "/"'),
        (
            '"https://harbor.example/book"',
            '"https://harbor.example/book" is not a path on the site\'s host',
        ),
        ('"//book.example/"', '"//book.example/" starts with "//", which names a host'),
        ('"/book?clinic=1"', "has a query (?…) or a fragment (#…), but links are matched by"),
        ('"/book#top"', 'by their path alone: write "/book"'),
        ('"/patient portal/"', "has a space, a backslash or a control character; write the path"),
        ('"/a/../b"', 'has a "." or ".." segment'),
        ('"/"', '"/" would put the whole site elsewhere'),
        ("3", 'must be a path in quotes (e.g. "/book" for that path'),
    ],
)
def test_a_bad_path_names_the_key_its_line_and_the_fix(
    make_project: ProjectFactory, value: str, expected: str
) -> None:
    root = make_project(config=CONFIG.format(paths=f'["/book", {value}]'))
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert str(caught.value).startswith(
        f"{root / 'kdirectory.toml'}: check.external_paths.1 (line 6): "
    )
    assert expected in str(caught.value)


def test_a_single_path_must_be_in_a_list(make_project: ProjectFactory) -> None:
    root = make_project(config=CONFIG.format(paths='"/book"'))
    with pytest.raises(ConfigError, match=r"check\.external_paths \(line 6\): must be a list"):
        load_config(root)


def test_an_unknown_check_setting_is_refused(make_project: ProjectFactory) -> None:
    root = make_project(config='[check]\nexternal_path = ["/book"]\n')
    with pytest.raises(ConfigError, match=r"check\.external_path \(line 2\): Extra inputs"):
        load_config(root)


def test_a_bad_path_stops_every_command_with_exit_2(make_project: ProjectFactory) -> None:
    root = make_project({"a.yaml": GOOD_RECORD}, config=CONFIG.format(paths='["book"]'))
    for command in (["validate", str(root)], ["build", str(root)]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "check.external_paths.0 (line 6)" in result.output
        assert "Traceback" not in result.output
    assert not (root / "site").exists()
