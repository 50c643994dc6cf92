"""Small HTML builders for the generated pages: every text goes through ``html.escape``.

Values passed as ``Markup`` are trusted HTML built here; anything else is escaped, so a name
like ``O'Brien & <Co>`` from git or front matter can never become markup.
"""

from __future__ import annotations

import posixpath
from html import escape
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit

# Addresses a link may have: a page of the site or the web. A ``javascript:``, ``data:`` or
# ``vbscript:`` one would run in the reader's browser; ``urlsplit`` reads the scheme as a
# browser does (leading spaces and control characters, tabs inside it, any case).
LINK_SCHEMES = ("", "http", "https")


class Markup(str):
    """HTML built by these helpers (already escaped)."""


def esc(value: Any) -> str:
    if isinstance(value, Markup):
        return value
    return escape("" if value is None else str(value), quote=True)


def tag(name: str, content: Any = "", **attrs: Any) -> Markup:
    rendered = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"'
        for key, value in attrs.items()
        if value is not None and value is not False
    )
    return Markup(f"<{name}{rendered}>{esc(content) if not isinstance(content, Markup) else content}</{name}>")


def link(text: Any, href: str | None) -> Markup:
    """``text`` linked to ``href``; only text when there is no address or it is not a page's."""
    return tag("a", text, href=href) if href and _navigates(href) else Markup(esc(text))


def _navigates(href: str) -> bool:
    try:
        return urlsplit(href).scheme.lower() in LINK_SCHEMES
    except ValueError:  # e.g. an unbalanced '[' where a host belongs
        return False


def relative_url(from_url: str, to_url: str) -> str:
    """Link from the page served at ``from_url`` to ``to_url`` (both relative to the site root)."""
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    target_path, hash_sep, fragment = to_url.partition("#")
    relative = posixpath.relpath("/" + target_path, "/" + base) if target_path else "."
    if target_path.endswith("/") and not relative.endswith("/"):
        relative += "/"
    return relative + (hash_sep + fragment if hash_sep else "")


def table(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    numeric: Iterable[int] = (),
    css_class: str = "",
    empty: str = "Nothing to show.",
    caption: str | None = None,
) -> Markup:
    """A plain table that reads fine without JavaScript; ``data-docgates-sortable`` lets the
    optional script sort it."""
    numeric_columns = set(numeric)
    rows = list(rows)
    if not rows:
        return tag("p", empty, class_="docgates-empty")
    head = "".join(
        f'<th scope="col"{" data-numeric" if i in numeric_columns else ""}>{esc(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            sort_value = ""
            if i in numeric_columns and isinstance(cell, (int, float)):
                sort_value = f' data-sort="{cell}"'
            cells.append(f"<td{sort_value}>{esc(_shown(cell))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption_html = f"<caption>{esc(caption)}</caption>" if caption else ""
    classes = " ".join(c for c in ("docgates-table", css_class) if c)
    # The class sits on a wrapper: Material styles only tables without a class attribute.
    return Markup(
        f'<div class="{esc(classes)}"><table data-docgates-sortable>{caption_html}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _shown(cell: Any) -> Any:
    if isinstance(cell, float):
        return Markup(esc(f"{cell:.1f}"))
    return cell


def section(title: str, *content: Any, section_id: str | None = None) -> Markup:
    id_attr = f' id="{esc(section_id)}"' if section_id else ""
    return Markup(
        f'<section class="docgates-section"{id_attr}>'
        f"<h2>{esc(title)}</h2>{''.join(esc(c) for c in content)}</section>"
    )


# Progressive enhancement for the generated pages: click a column heading to sort, type in
# the box above a long table to filter its rows. The tables read fine without it.
TABLE_SCRIPT = Markup(
    """<script>
(function () {
  function key(cell) {
    var v = cell.getAttribute("data-sort");
    return v !== null ? parseFloat(v) : cell.textContent.trim().toLowerCase();
  }
  document.querySelectorAll("table[data-docgates-sortable]").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body) return;
    table.querySelectorAll("thead th").forEach(function (th, index) {
      th.style.cursor = "pointer";
      th.title = "Sort";
      th.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        Array.from(body.rows).sort(function (a, b) {
          var x = key(a.cells[index]), y = key(b.cells[index]);
          return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1);
        }).forEach(function (row) { body.appendChild(row); });
      });
    });
    if (body.rows.length > 8) {
      var input = document.createElement("input");
      input.type = "search";
      input.placeholder = "Filter rows";
      input.className = "docgates-table-filter";
      input.addEventListener("input", function () {
        var q = input.value.toLowerCase();
        Array.from(body.rows).forEach(function (row) {
          row.hidden = q && row.textContent.toLowerCase().indexOf(q) < 0;
        });
      });
      table.parentNode.insertBefore(input, table);
    }
  });
})();
</script>"""
)
