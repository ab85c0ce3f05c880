"""`tiers cost --compare-to`, `--fail-above`, `--format markdown` and the usage file, as a CI job runs them.

The fleet program (tests/policy/cost/programs/fleet, stack 'test') costs $236.10 a month; its
telemetry function (256 MB arm64) bills 2,628,000 invocations x 84 ms x 0.25 GB = 55,188 GB-s x
$0.0000133334 = $0.735844 of duration. Raising its memory to 512 MB doubles the GB-seconds and
nothing else: +$0.735844, so the total goes from $236.10 to $236.84.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from iot_tiers.cli import main

GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=CI", "-c", "commit.gpgsign=false"]


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def repo(tmp_path, fleet_dir):
    """The fleet program committed in a git repository of its own, in a subfolder as teams keep it."""
    program = tmp_path / "infra"
    shutil.copytree(fleet_dir, program, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    subprocess.run(GIT + ["-C", str(tmp_path), "add", "."], check=True)
    subprocess.run(GIT + ["-C", str(tmp_path), "commit", "-qm", "fleet"], check=True)
    return program


def raise_memory(program):
    main_py = program / "__main__.py"
    text = main_py.read_text()
    assert text.count("memory_size=256") == 1
    main_py.write_text(text.replace("memory_size=256", "memory_size=512"))


def test_a_one_line_change_against_a_git_revision_shows_the_function_and_its_delta(capsys, repo):
    raise_memory(repo)
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(repo), "--compare-to", "HEAD", "--json")
    assert code == 0
    diff = json.loads(out)["diff"]
    assert diff["compared_to"] == "git HEAD"
    assert diff["past_total_usd"] == pytest.approx(236.10) and diff["total_usd"] == pytest.approx(236.84)
    assert [c["name"] for c in diff["changes"]] == ["function"]
    change = diff["changes"][0]
    assert change["change"] == "changed" and change["reasons"] == ["memory_mb 256 -> 512"]
    assert change["delta_usd"] == pytest.approx(0.74)
    assert [i["delta_usd"] for i in change["items"]] == [pytest.approx(0.7358, abs=1e-4)]


def test_the_revision_is_exported_without_touching_the_users_repository(capsys, repo):
    raise_memory(repo)
    top = repo.parent
    before = subprocess.run(["git", "-C", str(top), "status", "--porcelain"], capture_output=True, text=True).stdout
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(repo), "--compare-to", "git:HEAD")
    assert code == 0 and "~ function (aws:lambda/function:Function, processing)" in out
    assert "+$0.74 ($1.79 -> $2.52)  because memory_mb 256 -> 512" in out
    after = subprocess.run(["git", "-C", str(top), "status", "--porcelain"], capture_output=True, text=True).stdout
    assert before == after == " M infra/__main__.py\n"
    worktrees = subprocess.run(["git", "-C", str(top), "worktree", "list"], capture_output=True, text=True).stdout
    assert len(worktrees.splitlines()) == 1


def test_fail_above_gates_the_ci_job_on_the_monthly_rise(capsys, repo):
    raise_memory(repo)
    args = ["cost", "--stack", "test", "--program", str(repo), "--compare-to", "HEAD"]
    code, _, err = run(capsys, *args, "--fail-above", "0.5")
    assert code == 1 and "rises by $0.74, more than --fail-above $0.50" in err
    code, _, _ = run(capsys, *args, "--fail-above", "1")
    assert code == 0
    code, _, err = run(capsys, "cost", "--stack", "test", "--program", str(repo), "--fail-above", "1")
    assert code == 2 and "--fail-above needs --compare-to REF" in err


def test_a_saved_json_estimate_is_a_baseline(capsys, fleet_dir, tmp_path):
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--json")
    base = tmp_path / "base.json"
    base.write_text(out)
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--compare-to", str(base))
    assert code == 0 and "No resource changed cost." in out and "Amount: $0.00 (+0.0%)" in out


def test_another_stack_is_compared_resource_by_resource_with_the_traffic_that_differs(capsys, fleet_dir):
    """'defaults' is 500 devices x 120/h with 0.1% alerts against 'test''s 1,000 x 60 with 1%: the same
    43.8M messages, so only what depends on the fleet size or the alerts changes."""
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--compare-to",
                       "stack:defaults", "--json")
    diff = json.loads(out)["diff"]
    assert diff["assumptions_changed"]["trafficDevices"] == {"before": 500, "after": 1000}
    by = {c["name"]: c for c in diff["changes"]}
    assert "devices 500 -> 1,000" in by["rule"]["reasons"]
    # connectivity: 500 more devices x 43,800 min x $0.08/M = $1.752
    assert by["rule"]["delta_usd"] == pytest.approx(1.75)
    assert set(by) <= {"rule", "table", "topic"}


def test_compare_to_something_that_is_none_of_the_three_says_what_was_tried(capsys, fleet_dir):
    code, _, err = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--compare-to", "nothing-here")
    assert code == 2 and "not a file, not a stack of" in err and "use file:PATH, stack:NAME or git:REV" in err


def test_markdown_is_a_pull_request_comment_with_the_summary_the_diff_and_the_top_lines(capsys, repo):
    raise_memory(repo)
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(repo), "--compare-to", "HEAD",
                       "--format", "markdown")
    assert code == 0
    assert out.startswith("### tiers cost of stack `test` (project `fleet-test`)")
    assert "Monthly estimate **increases** by **+$0.74**, +0.3%: $236.10 -> **$236.84** (compared to `git HEAD`)." in out
    assert "| `function` | changed | $1.79 | $2.52 | +$0.74 | memory_mb 256 -> 512 |" in out
    assert "<summary>Top 10 line items</summary>" in out
    assert out.count("\n| `") == 1 + 10
    assert "EC2 on-demand: 1,367 us-east-1 Linux rates" in out


def test_sync_usage_scaffolds_every_usage_key_at_the_models_value_and_the_file_then_prices(capsys, fleet_dir, tmp_path):
    usage = tmp_path / "usage.yml"
    code, _, err = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--sync-usage", str(usage))
    assert code == 0 and f"wrote {usage}" in err
    text = usage.read_text()
    assert "version: 0.1" in text
    assert "  function:  # aws:lambda/function:Function\n    # monthly_requests: 2628000  # Invocations" in text
    assert "  dlq:  # aws:sqs/queue:Queue\n    # monthly_requests: 0" in text
    # uncomment and edit one value: 10M requests on the dead-letter queue x $0.40/M = $4.00 more
    usage.write_text(text.replace("  dlq:  # aws:sqs/queue:Queue\n    # monthly_requests: 0",
                                  "  dlq:  # aws:sqs/queue:Queue\n    monthly_requests: 10000000"))
    code, out, _ = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--usage-file", str(usage),
                       "--json")
    doc = json.loads(out)
    assert doc["total_usd"] == pytest.approx(236.10 + 4.00)
    dlq = next(r for r in doc["resources"] if r["name"] == "dlq")
    assert dlq["usage"] == {"monthly_requests": 10000000} and dlq["status"] == "priced"
    # syncing again keeps the edited value
    run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--sync-usage", str(usage))
    assert "    monthly_requests: 10000000  #" in usage.read_text()


def test_a_bad_usage_file_is_an_error_naming_the_key_and_what_is_allowed(capsys, fleet_dir, tmp_path):
    usage = tmp_path / "usage.yml"
    usage.write_text("version: 0.1\nresource_usage:\n  function:\n    monthly_invocations: 5\n")
    code, _, err = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--usage-file", str(usage))
    assert code == 2
    assert "unknown key 'monthly_invocations'" in err and "this type takes: monthly_requests, request_duration_ms" in err
    code, _, err = run(capsys, "cost", "--stack", "test", "--program", str(fleet_dir), "--usage-file",
                       str(tmp_path / "absent.yml"))
    assert code == 2 and "does not exist (tiers cost --sync-usage" in err


def test_traffic_keys_say_default_unless_the_stack_sets_them(capsys, fleet_dir):
    code, out, _ = run(capsys, "cost", "--stack", "defaults", "--program", str(fleet_dir))
    assert "trafficDevices = 500  (default)" in out and "(set in the stack)" not in out


def test_a_stack_in_another_region_says_so_on_every_output(capsys, fleet_dir):
    warning = "the stack deploys to eu-west-1, but these are us-east-1 list prices"
    for fmt in ("table", "json", "markdown"):
        code, out, _ = run(capsys, "cost", "--stack", "euwest", "--program", str(fleet_dir), "--format", fmt)
        assert code == 0 and warning in out, fmt
