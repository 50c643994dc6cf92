"""Readability on real sites: generated API reference and link lists are not prose, and every
hardest sentence has a line and is listed once."""

from __future__ import annotations

import pytest

from docgates.readability.prose import SourceLocator, extract_prose
from docgates.readability.scoring import Scorer, analyse_html
from test_readability import EASY_PROSE

DOCSTRING = (
    "Institutionally sanctioned authentication methodologies necessitate comprehensive, "
    "unambiguous configuration documentation notwithstanding heterogeneous environments."
)

# What mkdocstrings-python renders for a class with a method (material templates: a
# "doc doc-object" wrapper, "doc doc-heading", a "doc-signature" highlight, "doc doc-contents"
# with a parameters table and a list-style section), as raw HTML in the Markdown.
MKDOCSTRINGS = f"""\
<div class="doc doc-object doc-class">
<h2 id="pkg.Gate" class="doc doc-heading"><code class="doc-symbol doc-symbol-heading doc-symbol-class"></code> <span class="doc doc-object-name doc-class-name">pkg.Gate</span></h2>
<div class="doc-signature highlight"><pre><span></span><code>Gate(options: Mapping[str, Any] | None = None)</code></pre></div>
<div class="doc doc-contents first">
<p>{DOCSTRING}</p>
<p><span class="doc-section-title">Parameters:</span></p>
<table><thead><tr><th>Name</th><th>Description</th></tr></thead>
<tbody><tr class="doc-section-item"><td><code>options</code></td><td><div class="doc-md-description"><p>Organisational configuration.</p></div></td></tr></tbody></table>
<div class="doc doc-children">
<div class="doc doc-object doc-function">
<h3 id="pkg.Gate.check" class="doc doc-heading"><span class="doc doc-object-name doc-function-name">check</span></h3>
<div class="doc doc-contents "><p>{DOCSTRING}</p>
<p><span class="doc-section-title">Parameters:</span></p>
<ul><li class="doc-section-item field-body"><b><code>page</code></b> – <div class="doc-md-description"><p>Comprehensive page representation accommodating metadata.</p></div></li></ul>
</div>
</div>
</div>
</div>
</div>
"""

# What mkautodoc renders for "::: pkg.Gate" with :docstring: and :members: (the same docstring
# twice: once for the class, once for its member).
MKAUTODOC = f"""\
<div class="autodoc">
<div class="autodoc-signature"><em>class </em><code>pkg.<strong>Gate</strong></code><span class="autodoc-punctuation">(</span><em class="autodoc-param">options=None</em><span class="autodoc-punctuation">)</span></div>
<div class="autodoc-docstring"><p>{DOCSTRING}</p></div>
<div class="autodoc-members">
<div class="autodoc-signature"><code><strong>check</strong></code><span class="autodoc-punctuation">(</span><em class="autodoc-param">page</em><span class="autodoc-punctuation">)</span></div>
<div class="autodoc-docstring"><p>{DOCSTRING}</p></div>
</div>
</div>
"""

GUIDES = [
    "Deploying the checkout service", "Rolling back a bad release", "Rotating database credentials",
    "Onboarding a new engineer", "Writing a good runbook", "Reviewing infrastructure changes",
    "Configuring alert routing rules", "Handling a security incident", "Scaling the search cluster",
    "Restoring from nightly backups", "Upgrading the Kubernetes nodes", "Managing feature flags safely",
    "Archiving old analytics data", "Requesting production access", "Testing payment provider webhooks",
    "Migrating a service's database", "Tuning the cache eviction", "Debugging slow API requests",
    "Publishing the mobile app", "Renewing TLS certificates", "Auditing user permissions quarterly",
    "Planning a maintenance window", "Cleaning up unused resources", "Documenting architectural decisions",
]

# An index page: a heading, one sentence and a long list of links (106 words of link text and
# prose), one item with words of its own, and a paragraph that is only links.
INDEX = (
    "# Handbook\n\nStart with the guides below.\n\n"
    + "".join(f"- [{title}](guide.md)\n" for title in GUIDES)
    + "- [Deploying](guide.md) tells you how we ship.\n"
    + "\n[Previous](guide.md) · [Next](guide.md)\n"
)

HARD = (
    "Organisational accountability necessitates comprehensive documentation of infrastructural "
    "modifications."
)
GENERATED = (
    "Notwithstanding institutional considerations, heterogeneous authentication methodologies "
    "necessitate unambiguous justification."
)
# The hard sentence twice (body lines 3 and 12), and a hook adds a sentence the Markdown lacks.
REPEATED = f"# Governance\n\n{HARD}\n\n{EASY_PROSE}\n{HARD}\n"
HOOK = f'''\
def on_page_content(html, page, **kwargs):
    if page.file.src_uri == "repeated.md":
        return html + "<p>{GENERATED}</p>"
    return html
'''


@pytest.fixture(scope="module")
def english() -> Scorer:
    scorer = Scorer("en_US")
    scorer.warm_up()
    return scorer


def test_api_reference_and_link_only_blocks_are_not_prose():
    html = (
        "<p>Intro text here.</p>" + MKDOCSTRINGS + MKAUTODOC
        + '<ul><li><a href="a.md">Alpha</a></li><li><a href="b.md">Beta</a>.</li>'
        '<li><strong><a href="c.md">Gamma</a></strong><ul><li><a href="d.md">Delta</a></li></ul></li>'
        '<li><a href="e.md">Epsilon</a>: the epsilon guide</li></ul>'
        '<p><a href="x.md">Read more</a></p><p>See <a href="y.md">this page</a> now.</p>'
        '<h2 id="z"><a href="z.md">A heading that links</a></h2>'
        '<div class="footnote"><ol><li id="fn:1"><p>A note.&#160;<a class="footnote-backref" href="#fnref:1">&#8617;</a></p></li></ol></div>'
    )
    assert extract_prose(html).blocks == [
        "Intro text here.", "Epsilon: the epsilon guide.", "See this page now.", "A heading that links.",
        "A note.",
    ]


def test_every_hardest_sentence_has_a_line_and_a_repeated_one_is_listed_once(english):
    html = f"<h1>Governance</h1><p>{HARD}</p><p>{EASY_PROSE}</p><p>{HARD}</p><p>{GENERATED}</p>"
    analysis = analyse_html(english, html, REPEATED, body_line=1, min_words=1)
    texts = [entry["text"] for entry in analysis.hardest]
    assert len(texts) == len(set(texts)) == 5
    by_text = {entry["text"][:20]: entry["line"] for entry in analysis.hardest}
    assert by_text[HARD[:20]] == 3  # the first of its two places
    # Not in the Markdown: the line of the hardest sentence before it in the page.
    others = [entry["line"] for entry in analysis.hardest if not entry["text"].startswith(GENERATED[:20])]
    assert by_text[GENERATED[:20]] == max(others)
    assert all(isinstance(entry["line"], int) for entry in analysis.hardest)


def test_source_locator_answers_a_line_for_text_it_cannot_find():
    locator = SourceLocator("Intro.\n\nRun the tests first.\n", first_line=5)
    assert locator.line_of("Words that are nowhere at all.") == 5  # nothing found yet: the first line
    assert locator.line_of("Run the tests first.") == 7
    assert locator.line_of("Words that are nowhere at all.") == 7


def test_real_site_skips_api_reference_and_link_lists_and_names_lines(site):
    site.plugins({"docgates/readability": {"hardest": 5}})
    site.config["hooks"] = ["hooks.py"]
    site.write("hooks.py", HOOK)
    site.page("guide.md", f"# Guide\n\n{EASY_PROSE}")
    site.page("api.md", f"# Guide\n\n{EASY_PROSE}\n{MKDOCSTRINGS}\n{MKAUTODOC}")
    site.page("index.md", INDEX)
    site.page("repeated.md", REPEATED)
    result = site.build()
    assert result.returncode == 0, result.output

    # The API reference adds nothing: the page scores exactly as its prose alone.
    guide = result.page("guide.md")["readability"]
    api = result.page("api.md")["readability"]
    keys = ("flesch_reading_ease", "grade", "words", "sentences", "hardest", "hard", "skipped")
    assert {key: api[key] for key in keys} == {key: guide[key] for key in keys}
    assert not any("Institutionally" in entry["text"] for entry in api["hardest"])

    # The index page's link list is navigation: what is left is too short to score.
    index = result.page("index.md")["readability"]
    assert index["skipped"] == "too-short" and index["flesch_reading_ease"] is None
    # "Handbook." "Start with the guides below." "Deploying tells you how we ship."
    assert index["words"] == 12
    assert result.rules("index.md") == []

    # The hard sentence written twice is named once, at its first line; the sentence the hook
    # wrote has the line of the hardest sentence before it. No entry is without a line.
    repeated = result.page("repeated.md")["readability"]
    texts = [entry["text"] for entry in repeated["hardest"]]
    assert len(texts) == len(set(texts)) == 5
    lines = {entry["text"][:20]: entry["line"] for entry in repeated["hardest"]}
    assert lines[HARD[:20]] == 3
    assert lines[GENERATED[:20]] == max(line for text, line in lines.items() if text != GENERATED[:20])
    assert all(isinstance(entry["line"], int) and entry["line"] >= 1 for entry in repeated["hardest"])
