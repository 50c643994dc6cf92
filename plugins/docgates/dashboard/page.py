"""The quality dashboard: everything in quality.json, for people.

It reads the report (the build's ``QualityReport``, or a quality.json read back) as typed
values (``model.py``) plus the parsed page sources, and renders the Jinja template
``docgates/dashboard.html``, which a site may override. It never assumes a gate ran: a
section whose data is missing says "not measured" instead of failing or pretending all is
well.
"""

from __future__ import annotations

from markupsafe import Markup

from docgates.core.pagehtml import TABLE_SCRIPT
from docgates.core.templates import render as render_template
from docgates.dashboard import sections
from docgates.dashboard.inputs import DashboardInput
from docgates.dashboard.measures import HEALTH_DEFINITION, dimensions

TITLE = "Quality dashboard"
TEMPLATE = "docgates/dashboard.html"


def render(data: DashboardInput) -> str:
    """The dashboard page's body (``docgates/dashboard.html``)."""
    dims = dimensions(data)
    by_name = {d.name: d for d in dims}
    fresh, owned = by_name["Fresh pages"], by_name["Owned pages"]
    links, done = by_name["Pages with working links"], by_name["Checklists complete"]
    return render_template(
        TEMPLATE,
        data.templates,
        title=TITLE,
        today=data.today,
        health_definition=HEALTH_DEFINITION,
        overview=sections.overview(data, dims),
        fresh=fresh,
        freshness=sections.freshness(data) if fresh.measured else None,
        behind_code=sections.behind_code(data),
        owned=owned,
        ownership=sections.ownership(data, owned) if owned.measured else None,
        readability=sections.readability(data),
        readability_why="no page was scored" if data.ran("readability", False) else "the readability gate is not enabled",
        working_links=links,
        links=sections.links(data) if links.measured else None,
        checklists_done=done,
        checklists=sections.checklists(data) if done.measured else None,
        silos=sections.silos(data),
        learning=sections.learning(data),
        table_script=Markup(TABLE_SCRIPT),
    )
