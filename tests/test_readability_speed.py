"""Cold readability scoring takes shortcuts of docgates' own; each must give the slow way's numbers.

The shortcuts: the prose extractor jumps over skipped markup, sentence estimates skip
building lowercase word lists, only the likeliest sentences get textstat's exact counts, and
a warm build never imports textstat. textstat itself is used as documented, unchanged.
"""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

import pytest

from conftest import base_env
from docgates.readability import prose
from docgates.readability import scoring as readability_scoring
from docgates.readability.scoring import Scorer, analyse_html

TEXTS = [
    "",
    "   ",
    "...!?",
    "Hi.",
    "Go now.",
    "The cat sat on the mat. The dog did not.",
    "Don't re-deploy the Kubernetes cluster's 3rd node: it's the rock'n'roll way, isn't it?",
    "We've said they'll go; you're sure it'd work? DON'T shout. 'Tis the students' party, O'Neill's too.",
    "Run `kubectl` at 10:30, e.g. with --force. Version 1.6.2 works! Costs $1,000 (approx.) — or 3.14.",
    "Naïve café owners in Zürich eat crème brûlée. Straße, ÉCOLE, İstanbul and ΣΊΣΥΦΟΣ are words.",
    "Xyzzyquux frobnicates the idempotent microservice's observability pipeline via OpenTelemetry.",
    "snake_case_names and CamelCaseNames and ALLCAPS and x86_64 and i18n and k8s.",
    "Supercalifragilisticexpialidocious" * 4 + " is a long word.",
    "日本語のテキスト。 Emoji 🙂 here.\u00a0Non-breaking\u2009thin spaces\x1cand\x1dodd\tbreaks\nlines.",
    "Quote “curly” and ‘single’ marks. «Guillemets» too. A ' lone apostrophe and 'quoted' words.",
    "One. Two words. Three words here. Four words are here. Five words are right here!",
    "Wait... what?! Yes… no. A.B.C. is not D.E.F. Mr. Smith went to Washington.",
    "Hyphen-ated, en–dash and em—dash, slash/separated, back\\slash and under_score.",
]
CHARS = (
    "aeiouxyzTSDKL0123456789__''''\"..!!??,,;:--—–()[]{}/\\@#$%&*+=<>|~`^ \t\n\u00a0\u2009\x1c"
    "éüßİΣσςàçñ日本🙂\u0301"
)


def fuzz_texts(count: int = 300, seed: int = 20261124) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(0, 14)):
            word = "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 9)))
            words.append(rng.choice([word, word, "ve", "'s", "don't", "they'll", "Hello", "Xyzzy", "."]))
        texts.append(rng.choice([" ", "  ", "\n", ". "]).join(words))
    return texts


def test_hardest_sentences_equal_the_straightforward_computation():
    scorer = Scorer("en_US")
    scorer.warm_up()
    from textstat.textstat import textstatistics

    textstat = textstatistics()
    textstat.set_lang("en_US")
    text = " ".join(TEXTS[5:]) + " " + " ".join(t for t in fuzz_texts(80, seed=3))
    html = "".join(f"<p>{block}</p>" for block in text.replace("<", " ").split("\n"))
    extracted = prose.extract_prose(html)
    candidates = []
    for order, sentence in enumerate(extracted.sentences):
        words = [w.lower() for w in re.findall(r"\w+", sentence)]
        if len(words) >= 5:
            letters = sum(map(len, words)) / len(words)
            candidates.append((-(0.39 * len(words) + 11.8 * letters / 3), order, sentence))
    candidates.sort(key=lambda item: item[:2])
    ranked = []
    for _, order, sentence in candidates[: readability_scoring.CANDIDATE_SENTENCES]:
        words = textstat.lexicon_count(sentence)
        if words >= 5:
            grade = 0.39 * words + 11.8 * textstat.syllable_count(sentence) / words - 15.59
            ranked.append((-grade, order, sentence, words))
    ranked.sort(key=lambda item: item[:2])
    expected = [(readability_scoring._quote(s), w, round(-g, 1)) for g, _, s, w in ranked[:5]]
    got = scorer._hardest(extracted, None)
    assert len(expected) == 5
    assert [(h["text"], h["words"], h["grade"]) for h in got] == expected


# -- prose extraction shortcuts ----------------------------------------------------------


class ReferenceExtractor(HTMLParser):
    """The extractor as first written: every tag read, attributes as a dict, URLs always
    replaced. The fast one must collect exactly the same blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._open: list[tuple[str, bool]] = []
        self._skipping = 0
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in prose.VOID_TAGS:
            if tag in prose.BLOCK_TAGS:
                self._end_block()
            elif tag in ("br", "wbr") and not self._skipping:
                self._buffer.append(" ")
            return
        classes = set((dict(attrs).get("class") or "").split())
        skipped = tag in prose.SKIPPED_TAGS or not classes.isdisjoint(prose.SKIPPED_CLASSES)
        if tag in prose.BLOCK_TAGS:
            self._end_block()
        self._open.append((tag, skipped))
        self._skipping += skipped

    def handle_endtag(self, tag):
        if tag in prose.VOID_TAGS:
            return
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                break
        else:
            return
        for open_tag, skipped in reversed(self._open[index:]):
            self._skipping -= skipped
            if open_tag in prose.BLOCK_TAGS:
                self._end_block()
        del self._open[index:]

    def handle_data(self, data):
        if not self._skipping:
            self._buffer.append(data)

    def close(self):
        super().close()
        self._end_block()

    def _end_block(self):
        if not self._buffer:
            return
        text = " ".join("".join(self._buffer).split())
        self._buffer.clear()
        text = prose.URL.sub(prose.URL_REPLACEMENT, text)
        if not any(char.isalpha() for char in text):
            return
        if not prose._TERMINATED.search(text):
            text = text.rstrip(" :;,-–—") + "."
        self.blocks.append(text)


def reference_blocks(html: str) -> list[str]:
    parser = ReferenceExtractor()
    parser.feed(html)
    parser.close()
    return parser.blocks


HIGHLIGHTED = (
    '<div class="language-python highlight"><pre><span></span><code><a id="l1" name="l1" href="#l1"></a>'
    '<span class="k">def</span> <span class="nf">f</span><span class="p">():</span> <em>x</em><br/>'
    '<span class="k">return</span> <span class="s2">&quot;&lt;/div&gt;&quot;</span>\n</code></pre></div>'
)
TRICKY_HTML = [
    f"<p>Before the code.</p>{HIGHLIGHTED}<p>After the code.</p>",
    f"<p>Text before {HIGHLIGHTED} text after in the same paragraph</p>",
    # Block tags inside skipped markup end the sentence before it: no jumping over those.
    "<p>Cell text before<table><tr><td><p>in a cell</p></td></tr></table> and after</p>",
    "<p>Rule before<code>a<hr>b</code> after the rule</p>",
    "<p>Nested<table><tr><td><table><tr><td>inner</td></tr></table> outer</td></tr></table> end</p>",
    # End tags inside that close something outside the skipped element.
    "<ul><li>Item one<pre>x</li><li>y</pre> still item</li></ul><p>Next.</p>",
    "<p>Stray<code>a</p>b</code> after</p><p>More text here.</p>",
    "<p>Odd<code>a</span>b</code> after</p>",
    # Comments, declarations, raw-text elements and unusual tags inside.
    "<p>Commented<pre>a<!-- </pre> -->b</pre> after</p>",
    "<p>Script<pre>a<script>var s = '</pre>';</script>b</pre> after</p>",
    "<p>Attribute<code title='</code>'>x</code> after</p>",
    "<p>Gt<code data-x=\"a>b\">x</code> after</p>",
    "<p>Unclosed<pre><span>a<b>b</pre> after the pre</p>",
    "<p>Nested code<code>a<code>b</code> still code</code> after</p>",
    "<p>Nested pre<pre>a<pre>b</pre> still pre</pre> after</p>",
    "<p>Upper<PRE><SPAN>a</SPAN></PRE> after</p><P>Caps.</P>",
    "<p>Empty<pre/> element then text</p>",
    "<p>Spaced<code>x</code > after</p>",
    '<p>Class<span class="headerlink other">¶ link</span> kept words</p>',
    '<p>Twice<span class="x" class="headerlink">gone</span> kept</p>',
    '<p>Twice<span class="headerlink" class="x">kept too</span> here</p>',
    "<p>Unterminated<pre>a<span>b",
    "<p>No end tag at all <code>and code",
    "<svg><text>Not prose</text></svg><p>See https://example.com/x and mail a@b.co today.</p>",
    "<p>Email me at ops@example.com or www.example.org, or not.</p>",
    "<h2>Heading<a class=\"headerlink\" href=\"#h\">&para;</a></h2><p>Body text.</p>",
    "<table><thead><tr><th>A</th></tr></thead><tbody><tr><td><code>x</code><br>y</td></tr></tbody></table>",
    "<p>Line<br>break and<wbr>word</p><pre>a<br>b</pre>",
    "<details><summary>Hidden</summary><p>Shown text.</p></details>",
    "<p>Mixed<code><span>a</span></code><code><span>b</code></span> after</p>",
    "<div class=\"highlight\"><div>inner div</div></div><p>Then prose.</p>",
    "<p>Void end<code>a</br>b</img>c</code> after</p>",
    # Look-alikes HTMLParser reads differently: a non-breaking or vertical space in a tag
    # (part of the name), a long s or Kelvin sign in an end tag (a bogus comment).
    "<span><code><span\u00a0class=\"x\">a</code></span>b</span> after</span><p>Next.</p>",
    "<span><code><span\vid=\"x\">a</code></span>b</span> after</span><p>Next.</p>",
    "<span><samp><span>a</\u017famp></span> hidden</samp> after</span><p>Next.</p>",
    "<span><kbd><span>a</\u212abd></span> hidden</kbd> after</span><p>Next.</p>",
    '<span><code class="x"><span>a</code\u00a0></span>b</code> after</span><p>Next.</p>',
]


@pytest.mark.parametrize("html", TRICKY_HTML)
def test_prose_extraction_equals_reading_every_tag(html):
    assert prose.extract_prose(html).blocks == reference_blocks(html)


def test_prose_extraction_equals_reading_every_tag_on_generated_pages():
    rng = random.Random(11)
    pieces = TRICKY_HTML + [HIGHLIGHTED, "<p>Plain words here.</p>"]
    pieces += ["</p>", "</code>", "<code>", "<pre>", "</pre>", "<p>", "<table>", "</table>"]
    for _ in range(300):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        assert prose.extract_prose(html).blocks == reference_blocks(html), html


def test_words_of_and_word_lengths_equal_per_word_lowercasing():
    samples = TRICKY_HTML + TEXTS + fuzz_texts(200, seed=5) + [
        "İstanbul İİ", "ΣΊΣΥΦΟΣ'Σ ΟΔΟΣ", "AΣ'B Σ", "x\u0130y", "Straße STRASSE ǅemal ᾼ",
    ]
    for text in samples:
        expected = [word.lower() for word in re.findall(r"\w+", text)]
        assert prose.words_of(text) == expected, text
        assert prose.word_lengths(text) == (len(expected), sum(map(len, expected))), text


def test_scores_of_a_page_are_unchanged_by_jumping_over_code(tmp_path):
    scorer = Scorer("en_US")
    html = (
        "<h1>Deploy</h1><p>Run the deploy script from the repository root before you merge.</p>"
        + HIGHLIGHTED * 5
        + "<table><tr><td>Authentication infrastructure</td></tr></table>"
        "<p>Check the dashboard afterwards. Organisational accountability necessitates documentation.</p>"
    )
    body = "# Deploy\n\nRun the deploy script from the repository root before you merge.\n"
    fast = analyse_html(scorer, html, body, 1, 5)

    class Slow(prose.ProseExtractor):
        def _inert_until(self, start, tag):
            return start

    slow_parser = Slow()
    slow_parser.feed(html)
    slow_parser.close()
    slow = scorer.analyse(slow_parser.prose, 5, lambda: prose.SourceLocator(body, 1))
    assert fast == slow and fast.scored


# -- warm builds stay light --------------------------------------------------------------


def test_warm_build_imports_neither_textstat_nor_nltk(site):
    site.plugins("docgates/readability")
    site.page("index.md", "# Index\n\n" + "We ship every change with the script. It runs the tests first. " * 10)
    env = base_env(PYTHONPROFILEIMPORTTIME="1")
    cold = site.build(env=env)
    assert cold.returncode == 0, cold.output
    assert re.search(r"\|\s+textstat$", cold.stderr, re.M)  # the check below can see imports
    warm = site.build(env=env)
    assert warm.returncode == 0, warm.output
    assert warm.page("index.md")["readability"] == cold.page("index.md")["readability"]
    imported = re.findall(r"\|\s+(\S+)$", warm.stderr, re.M)
    assert not [name for name in imported if name.split(".")[0] in ("textstat", "nltk", "pyphen")]
