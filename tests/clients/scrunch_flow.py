"""Drive a crunchusers server with the real scrunch package.

Run by tests/functional/clients/test_scrunch.py with the Python of a separate
virtualenv (scrunch pins pycrunch 0.5.5 and pulls numpy/scipy, so it cannot
share the project's environment).  Usage: ``python scrunch_flow.py SITE_URL
OWNER_EMAIL PASSWORD MEMBER_EMAIL``.  Prints one JSON object of observations.
"""

import json
import sys

import scrunch
from scrunch.datasets import Project, create_team, get_project, get_team, get_user
from scrunch.helpers import shoji_entity_wrapper


def main(site_url, email, password, member_email):
    site = scrunch.connect(email, password, site_url)
    seen = {"flags": site.session.feature_flags}

    member = get_user(member_email, connection=site)
    team = create_team("Analysts", connection=site)
    team.members.add(member, edit=True)
    seen["team_members"] = sorted(team.members.list())
    seen["team_admins"] = team.members.list(permissions=True)["edit"]
    seen["team_by_name"] = get_team("Analysts", connection=site).url == team.url

    site.projects.create(shoji_entity_wrapper({"name": "Trackers"}))
    project = get_project("Trackers", connection=site)
    project.members.add(member, edit=True)
    project.members.add(team)
    seen["project_members"] = project.members.list(permissions=True)
    project.members.remove(member)
    seen["project_members_after_remove"] = sorted(project.members.list())
    seen["is_root"] = project.is_root
    sub = project.create_project("Wave 1")
    seen["sub_is_root"] = sub.is_root
    seen["by_id_name"] = Project.get_by_id(project.id, connection=site).name
    print(json.dumps(seen))


if __name__ == "__main__":
    main(*sys.argv[1:])
