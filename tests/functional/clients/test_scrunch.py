"""The real scrunch client (its own virtualenv) against a live server.

scrunch 0.18 pins pycrunch 0.5.5 and needs numpy/scipy, so it gets a
separate virtualenv, ``.venv-scrunch`` in the checkout, made on first use
(about 20 s) and reused afterwards.  The flow itself lives in
``tests/clients/scrunch_flow.py``.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import PASSWORD, Factory

ROOT = Path(__file__).resolve().parents[3]
VENV = ROOT / ".venv-scrunch"
FLOW = ROOT / "tests" / "clients" / "scrunch_flow.py"
SCRUNCH = "scrunch==0.18.25"


@pytest.fixture(scope="session")
def scrunch_python():
    python = VENV / "bin" / "python"
    marker = VENV / "installed.txt"
    if not marker.exists() or marker.read_text() != SCRUNCH:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", SCRUNCH], check=True, timeout=600
        )
        marker.write_text(SCRUNCH)
    return python


def run_flow(live_app, server, scrunch_python, part):
    """Run one part of the flow as an account owner with an editor colleague;
    returns ``(seen, owner_email, member_email, member_id)``."""
    factory = Factory(live_app, None)
    account_id, owner_id = factory.account()
    member_id = factory.user(account_id, roles=("editor",))
    owner_email, member_email = factory.email_of(owner_id), factory.email_of(member_id)
    result = subprocess.run(
        [str(scrunch_python), str(FLOW), str(server), owner_email, PASSWORD, member_email, part],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    return seen, owner_email, member_email, member_id


def test_scrunch_connect_teams_and_projects(live_app, server, scrunch_python):
    seen, owner_email, member_email, _ = run_flow(live_app, server, scrunch_python, "teams")

    assert seen["flags"] == {"clients_strict_subvariable_syntax": False}
    assert seen["team_members"] == sorted([owner_email, member_email])
    assert sorted(seen["team_admins"]) == sorted([owner_email, member_email])
    assert seen["team_by_name"] is True
    members = seen["project_members"]
    assert sorted(members["edit"]) == sorted([owner_email, member_email])
    assert members["view"] == ["Analysts"]
    assert member_email not in seen["project_members_after_remove"]
    assert seen["is_root"] is True and seen["sub_is_root"] is False
    assert seen["by_id_name"] == "Trackers"


def test_item07_23_24_25_scrunch_opens_moves_and_creates_datasets(
    live_app, server, scrunch_python
):
    """Issue 7 items 23 (folder documents with a name), 24 (the personal
    project) and 25 (``create_dataset`` sends an empty ``table``), through
    the real scrunch."""
    seen, owner_email, member_email, member_id = run_flow(
        live_app, server, scrunch_python, "datasets"
    )
    dataset_url = seen["opened"][2]
    assert seen["created"] == {"name": "Scrunch survey", "variables": 0}
    assert seen["folder_names"] == ["Public", "Hidden", "Secure"]
    assert seen["opened"] == [dataset_url] * 3  # by id, by name, as created
    assert seen["renamed"] == "Scrunch survey, renamed"
    assert seen["shared_with"] == sorted([owner_email, member_email])
    personal = seen["personal"]
    assert personal["url"] == f"{server}projects/personal/"
    assert personal["name"] == "Personal Project"
    personal_url = f"{server}projects/{personal['id']}/"
    assert seen["after_move"] == personal_url
    assert seen["personal_children"] == [dataset_url]
    project_url = seen["after_change_owner_project"]
    assert project_url.startswith(f"{server}projects/") and project_url != personal_url
    assert seen["project_dataset"] == dataset_url
    assert seen["after_change_owner_user"] == f"{server}users/{member_id}/"
