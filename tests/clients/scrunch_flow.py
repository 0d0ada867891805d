"""Drive a crunchusers server with the real scrunch package.

Run by tests/functional/clients/test_scrunch.py with the Python of a separate
virtualenv (scrunch pins pycrunch 0.5.5 and pulls numpy/scipy, so it cannot
share the project's environment).  Usage: ``python scrunch_flow.py SITE_URL
OWNER_EMAIL PASSWORD MEMBER_EMAIL [teams|datasets]``.  Prints one JSON object
of observations.
"""

import json
import sys

import scrunch
from scrunch.datasets import (
    Project,
    create_team,
    get_personal_project,
    get_project,
    get_team,
    get_user,
)
from scrunch.helpers import shoji_entity_wrapper
from scrunch.mutable_dataset import create_dataset, get_mutable_dataset


def main(site_url, email, password, member_email, part="teams"):
    site = scrunch.connect(email, password, site_url)
    flow = {"teams": teams_flow, "datasets": dataset_flow}[part]
    print(json.dumps(flow(site, member_email)))


def teams_flow(site, member_email):
    """Teams and projects: members, sub-projects, lookups."""
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
    return seen


def dataset_flow(site, member_email):
    """Datasets (issue 7 items 23-25): create with empty metadata, open by id
    and by name, folders, edit, share, the personal project, moves and
    ownership changes."""
    seen = {}
    site.projects.create(shoji_entity_wrapper({"name": "Waves"}))
    project = get_project("Waves", connection=site)
    created = create_dataset("Scrunch survey", {}, connection=site)
    seen["created"] = {"name": created.name, "variables": len(created)}
    folders = created.folders
    seen["folder_names"] = [f.name for f in (folders.public, folders.hidden, folders.secure)]
    by_id = get_mutable_dataset(created.id, connection=site)
    by_name = get_mutable_dataset("Scrunch survey", connection=site)
    seen["opened"] = [by_id.url, by_name.url, created.url]
    by_id.edit(name="Scrunch survey, renamed")
    seen["renamed"] = get_mutable_dataset(created.id, connection=site).name
    by_id.add_user(member_email, edit=True)
    shared = by_id.resource.permissions.index.values()
    seen["shared_with"] = sorted(entry["email"] for entry in shared)

    personal = get_personal_project(connection=site)
    seen["personal"] = {"name": personal.name, "url": personal.url, "id": personal.id}
    by_id.move(personal)
    seen["after_move"] = get_mutable_dataset(created.id, connection=site).resource.body.project
    seen["personal_children"] = [child.url for child in personal.children]
    by_id.change_owner(project=project)
    seen["after_change_owner_project"] = by_id.resource.body.project
    member = get_user(member_email, connection=site)
    by_id.change_owner(user=member)
    seen["after_change_owner_user"] = by_id.resource.body.owner
    seen["project_dataset"] = project.get_dataset("Scrunch survey, renamed").url
    return seen


if __name__ == "__main__":
    main(*sys.argv[1:])
