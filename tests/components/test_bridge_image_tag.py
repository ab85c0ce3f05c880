"""The bridge image's tag is a digest of the build context Docker would send, and nothing else.

The ECR repository's tags are IMMUTABLE: a tag reused for different content is refused at
push, and a tag that changes without a content change pushes the same image again. So the
tag must change exactly when the context (as ``.dockerignore`` filters it) changes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from iot_tiers.components.assets import bridge_context, image_tag
from iot_tiers.components.dockerignore import compile_pattern, context_files, excluded, read_patterns


@pytest.fixture
def context(tmp_path) -> Path:
    """A copy of the bridge's real context, as an install would have it."""
    copy = tmp_path / "bridge"
    shutil.copytree(bridge_context(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_two_installs_of_the_same_code_get_the_same_tag(context):
    assert image_tag(context) == image_tag(bridge_context())


def test_a_changed_file_in_the_context_changes_the_tag(context):
    before = image_tag(context)
    app = context / "app.py"
    app.write_text(app.read_text() + "\n# changed\n")
    assert image_tag(context) != before


@pytest.mark.parametrize("change", [
    lambda c: (c / "new_module.py").write_text("X = 1\n"),
    lambda c: (c / "app.py").rename(c / "app2.py"),
    lambda c: (c / "Dockerfile").write_text((c / "Dockerfile").read_text() + "# comment\n"),
    lambda c: (c / "requirements.txt").write_text("gmqtt==0.8.0\n"),
])
def test_an_added_renamed_or_rebuilt_file_changes_the_tag(context, change):
    before = image_tag(context)
    change(context)
    assert image_tag(context) != before


@pytest.mark.parametrize("ignored", ["__pycache__/app.cpython-312.pyc", "app.pyc", "notes~", ".app.py.swp"])
def test_files_the_dockerignore_leaves_out_do_not_change_the_tag(context, ignored):
    before = image_tag(context)
    path = context / ignored
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"\0leftover")
    assert ignored not in context_files(context)
    assert image_tag(context) == before


def test_modification_times_do_not_change_the_tag(context):
    before = image_tag(context)
    for path in context.iterdir():
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert image_tag(context) == before


def test_a_permission_change_changes_the_tag(context):
    # Docker copies the mode into the image, and docker-build's context hash (its rebuild
    # trigger) includes it: a rebuild under the old tag would be refused by IMMUTABLE.
    before = image_tag(context)
    (context / "app.py").chmod(0o755)
    assert image_tag(context) != before


def test_the_platform_and_build_settings_are_part_of_the_tag(context):
    assert image_tag(context, platform="linux/amd64") != image_tag(context)
    assert image_tag(context, build={"push": True}) != image_tag(context, build={"push": False})


def test_the_tag_is_a_valid_docker_and_ecr_tag():
    tag = image_tag(bridge_context())
    # Docker: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; ECR's ImageTag: 1..300 characters.
    assert len(tag) <= 128 and tag.replace("-", "").isalnum() and tag[0].isalnum()


# -- Docker's own matching rules (moby/patternmatcher), on its test table ---------------------

#: Cases from moby/patternmatcher patternmatcher_test.go ``TestMatches`` (MatchesOrParentMatches),
#: those on clean relative paths, which is what a build context holds.
MOBY_CASES = [
    ("**", "file", True), ("**", "dir/file", True), ("**/**", "dir/file", True),
    ("dir/**", "dir/file", True), ("dir/**", "dir/dir2/file", True), ("**/dir", "dir", True),
    ("**/dir", "dir/file", True), ("**/dir2/*", "dir/dir2/file", True),
    ("**/dir2/**", "dir/dir2/dir3/file", True), ("**file", "file", True), ("**file", "dir/file", True),
    ("**/file", "dir/file", True), ("**file", "dir/dir/file", True), ("**/file", "dir/dir/file", True),
    ("**/file*", "dir/dir/file", True), ("**/file*", "dir/dir/file.txt", True),
    ("**/file*txt", "dir/dir/file.txt", True), ("**/file*.txt", "dir/dir/file.txt", True),
    ("**/file*.txt*", "dir/dir/file.txt", True), ("**/**/*.txt", "dir/dir/file.txt", True),
    ("**/**/*.txt2", "dir/dir/file.txt", False), ("**/*.txt", "file.txt", True),
    ("**/**/*.txt", "file.txt", True), ("a**/*.txt", "a/file.txt", True), ("a**/*.txt", "a/dir/file.txt", True),
    ("a**/*.txt", "a/dir/dir/file.txt", True), ("a/*.txt", "a/dir/file.txt", False),
    ("a/*.txt", "a/file.txt", True), ("a/*.txt**", "a/file.txt", True), ("a[b-d]e", "ae", False),
    ("a[b-d]e", "ace", True), ("a[b-d]e", "aae", False), ("a[^b-d]e", "aze", True), (".*", ".foo", True),
    (".*", "foo", False), ("abc.def", "abcdef", False), ("abc.def", "abc.def", True),
    ("abc.def", "abcZdef", False), ("abc?def", "abcZdef", True), ("abc?def", "abcdef", False),
    ("**/foo/bar", "foo/bar", True), ("**/foo/bar", "dir/foo/bar", True), ("**/foo/bar", "dir/dir2/foo/bar", True),
    ("abc/**", "abc", False), ("abc/**", "abc/def", True), ("abc/**", "abc/def/ghi", True),
    ("**/.foo", ".foo", True), ("**/.foo", "bar.foo", False), ("a(b)c/def", "a(b)c/def", True),
    ("a(b)c/def", "a(b)c/xyz", False), ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    ("a\\*b", "a*b", True),
]
MOBY_MULTI = [
    (["**", "!util/docker/web"], "util/docker/web/foo", False),
    (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
    (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
]


@pytest.mark.parametrize("pattern, path, result", MOBY_CASES)
def test_a_pattern_matches_as_dockers_patternmatcher_does(pattern, path, result):
    assert excluded(path, [compile_pattern(pattern)]) is result


@pytest.mark.parametrize("patterns, path, result", MOBY_MULTI)
def test_the_last_matching_pattern_wins_and_bang_re_includes(patterns, path, result):
    assert excluded(path, [compile_pattern(p) for p in patterns]) is result


def test_the_ignore_file_is_read_as_dockers_ignorefile_reads_it():
    # moby/patternmatcher ignorefile.ReadAll: BOM dropped, '#' comments, trimmed, cleaned, leading '/' off.
    text = "\ufeff# comment\n  /build/  \n\n!/keep/../keep.txt\n ./a//b \n#x\n"
    assert read_patterns(text) == ["build", "!keep.txt", "a/b"]


def test_a_root_level_pattern_does_not_reach_into_folders(context):
    # '*.pyc' is anchored at the context's top (Docker's rule), unlike .gitignore.
    (context / "sub").mkdir()
    (context / "sub" / "x.pyc").write_bytes(b"x")
    assert "sub/x.pyc" in context_files(context)


def test_the_dockerfile_and_ignore_file_are_sent_even_when_excluded(context):
    (context / ".dockerignore").write_text("Dockerfile\n.dockerignore\n*.py\n")
    names = set(context_files(context))
    assert {"Dockerfile", ".dockerignore"} <= names and not [n for n in names if n.endswith(".py")]
