"""The Jinja templates of the generated pages (leaderboard, dashboard): typed values in, HTML out.

The templates ship in the package's ``templates/`` folder. An engine adapter may give the
site's own loader (``SiteContext.templates``: under MkDocs, the theme's, whose ``custom_dir``
comes first), so a site that keeps a copy of ``docgates/leaderboard.html`` in its theme
folder renders its copy; the package's folder answers for every template the site has not.

Everything a template prints is escaped unless it is ``Markup``: a name from git or front
matter never becomes markup, whoever wrote the template.
"""

from __future__ import annotations

import traceback
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from docgates.core.gate import GateError

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


def _escaped(value: Any) -> Any:
    # html.escape's entities (&#x27;, &quot;) rather than MarkupSafe's (&#39;, &#34;): the
    # same text as docgates' other HTML, and as these pages had before they were templates.
    if hasattr(value, "__html__"):
        return value
    return Markup(escape("" if value is None else str(value), quote=True))


def environment(site_loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """An environment that finds templates in ``site_loader`` first, then in the package."""
    package = jinja2.FileSystemLoader(str(TEMPLATES_DIR))
    loader = jinja2.ChoiceLoader([site_loader, package]) if site_loader is not None else package
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        finalize=_escaped,
        # A misspelt name in a site's copy fails its build, naming the line, instead of
        # printing nothing where a figure belongs.
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, site_loader: jinja2.BaseLoader | None = None, **values: Any) -> str:
    """The template ``name`` with ``values``; a broken template (most likely a site's own
    copy) is a ``GateError`` naming its file and line."""
    try:
        return environment(site_loader).get_template(name).render(**values)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or name}:{exc.lineno}"
        raise GateError(f"{where}: {exc.message}; fix the template or remove the site's copy of {name}") from None
    except jinja2.TemplateError as exc:
        raise GateError(f"{_failing_line(exc, name)}: {exc}; fix the template or remove the site's copy of {name}") from None


def _failing_line(exc: BaseException, name: str) -> str:
    """``file:line`` of the template line that failed: Jinja rewrites the traceback so that
    a template's frames carry its file name and line."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if not frame.filename.endswith(".py"):
            return f"{frame.filename}:{frame.lineno}"
    return name
