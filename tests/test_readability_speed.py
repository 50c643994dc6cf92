"""Cold readability scoring takes shortcuts; every one must give textstat's exact numbers.

The shortcuts: the syllable table remembers Pyphen's count of words the dictionary lacks,
syllables and sentences are counted in C inside textstat's formulas, the parsed table is
kept beside the corpus, the prose extractor jumps over skipped markup, and sentence
estimates skip building lowercase word lists. Each is checked here against the slow way.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import base_env
from docgates.core import cmudict_corpus, prose, readability_scoring
from docgates.core.cmudict_corpus import SyllableTable
from docgates.core.readability_scoring import Scorer, analyse_html

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


STOCK_TEXTSTAT = r"""
import json, sys
from docgates.core import cmudict_corpus
cmudict_corpus.require_corpus()  # 'docgates setup' wrote the corpus; never downloads
cmudict_corpus.point_nltk_at_data()  # so NLTK, here loaded in full, finds that copy
from textstat.textstat import textstatistics
from textstat.backend.selections._list_words import list_words
texts = json.load(sys.stdin)
out = {}
for lang in ("en_US", "de"):
    ts = textstatistics()
    ts.set_lang(lang)
    out[lang] = [
        [ts.lexicon_count(t), ts.sentence_count(t), ts.syllable_count(t), ts.flesch_reading_ease(t),
         ts.flesch_kincaid_grade(t), [ts.syllable_count(w) for w in list_words(t, lowercase=True)]]
        for t in texts
    ]
json.dump(out, sys.stdout)
"""


def measures(ts, text: str) -> list:
    from textstat.backend.selections._list_words import list_words

    return [
        ts.lexicon_count(text), ts.sentence_count(text), ts.syllable_count(text),
        ts.flesch_reading_ease(text), ts.flesch_kincaid_grade(text),
        [ts.syllable_count(word) for word in list_words(text, lowercase=True)],
    ]


def test_counts_and_scores_equal_stock_textstat_with_nltks_dictionary():
    """End to end: stock textstat in a fresh process (NLTK's own cmudict, no docgates code
    in its way) and textstat with every docgates shortcut installed give the same numbers."""
    texts = TEXTS + fuzz_texts()
    stock = subprocess.run(
        [sys.executable, "-c", STOCK_TEXTSTAT], input=json.dumps(texts), env=base_env(),
        capture_output=True, text=True, timeout=300,
    )
    assert stock.returncode == 0, stock.stderr
    expected = json.loads(stock.stdout)
    for lang in ("en_US", "de"):
        scorer = Scorer(lang)
        scorer.warm_up()
        ts = scorer._textstat
        got = [measures(ts, text) for text in texts]
        mismatches = [(text, e, g) for text, e, g in zip(texts, expected[lang], got) if e != g]
        assert not mismatches, (lang, mismatches[:3])
    # The shortcuts were in place for those numbers.
    from textstat.backend import counts

    assert counts.count_syllables.docgates and counts.count_sentences.docgates


def test_pyphen_counts_are_remembered_as_textstat_counts_them():
    from textstat.backend.utils._get_pyphen import get_pyphen

    pyphen = get_pyphen("en_US")
    plain = SyllableTable({"cat": SyllableTable.PHONES[1]})
    with pytest.raises(KeyError):
        plain["xyzzyquux"]
    table = SyllableTable(plain)
    table.pyphen = pyphen
    long_word = "supercalifragilisticexpialidocious" * 4  # more syllables than PHONES holds
    for word in ("xyzzyquux", "frobnicates", "k8s", "naïve", "x", "'s", long_word, "日本"):
        expected = len(pyphen.positions(word)) + 1
        assert table.count([word]) == expected
        assert dict.__contains__(table, word)  # remembered...
        assert table.count([word]) == expected  # ...and the same the second time
    assert table.count(["cat", "xyzzyquux", "cat"]) == 2 + len(pyphen.positions("xyzzyquux")) + 1
    assert table.count([long_word]) > len(SyllableTable.PHONES)
    assert table.count([]) == 0
    assert "dog" not in plain and "xyzzyquux" not in plain  # the copy learned, not the original


def test_a_table_that_counts_otherwise_is_not_used():
    """The probe compares with textstat's own counter, so a different fallback is caught."""
    from textstat.backend.utils._get_pyphen import get_pyphen

    class OffByOne:
        def positions(self, word):
            return [1] * (len(get_pyphen("en_US").positions(word)) + 1)

    table = SyllableTable({"the": SyllableTable.PHONES[1], "node": SyllableTable.PHONES[1]})
    assert cmudict_corpus._counts_like_textstat(table, get_pyphen("en_US"), "en_US")
    assert not cmudict_corpus._counts_like_textstat(table, OffByOne(), "en_US")
    assert cmudict_corpus._counts_like_textstat(None, get_pyphen("de"), "de")


def test_word_and_sentence_counts_equal_textstats_own():
    Scorer("en_US").warm_up()  # installs the sentence counter
    from textstat.backend.counts import _count_sentences, _count_words, count_sentences

    assert count_sentences is not _count_sentences.count_sentences  # the shortcut is in place
    for text in TEXTS + fuzz_texts(600, seed=7):
        assert readability_scoring.count_words(text) == _count_words.count_words(text), repr(text)
        assert count_sentences(text) == _count_sentences.count_sentences(text), repr(text)


def test_hardest_sentences_equal_the_straightforward_computation():
    scorer = Scorer("en_US")
    scorer.warm_up()
    from textstat.backend.counts._count_syllables import count_syllables
    from textstat.backend.counts._count_words import count_words

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
    for _, order, sentence in candidates[:20]:
        words = count_words(sentence)
        if words >= 5:
            grade = 0.39 * words + 11.8 * count_syllables(sentence, "en_US") / words - 15.59
            ranked.append((-grade, order, sentence, words))
    ranked.sort(key=lambda item: item[:2])
    expected = [(readability_scoring._quote(s), w, round(-g, 1)) for g, _, s, w in ranked[:5]]
    got = scorer._hardest(extracted, None)
    assert len(expected) == 5
    assert [(h["text"], h["words"], h["grade"]) for h in got] == expected


# -- the compact syllable table ----------------------------------------------------------

CORPUS = "ABBREVIATION 1 AH0 B R IY2 V IY0 EY1 SH AH0 N\nCAT 1 K AE1 T\nREAD 1 R EH1 D\nREAD 2 R IY1 D\n"


def corpus_folder(tmp_path: Path, stamp: bool = True) -> Path:
    folder = tmp_path / "corpora" / "cmudict"
    folder.mkdir(parents=True)
    (folder / "cmudict").write_text(CORPUS, encoding="latin-1")
    if stamp:
        (folder / cmudict_corpus.STAMP_NAME).write_text("{}", encoding="utf-8")
    return folder


def test_parsed_table_is_kept_beside_the_corpus_and_reread_only_when_needed(tmp_path, monkeypatch):
    folder = corpus_folder(tmp_path)
    corpus = folder / "cmudict"
    expected = {"abbreviation": 5, "cat": 1, "read": 1}
    first = cmudict_corpus.load_syllable_table(corpus)
    assert {w: len(first[w][0]) for w in expected} == expected and len(first.store) == 3
    assert "reads" not in first.store and "zzz" not in first.store
    with pytest.raises(KeyError):  # not in the dictionary, and no Pyphen to count it
        first["reads"]
    first = first.store
    compact = cmudict_corpus._compact_path(corpus)
    assert compact.is_file() and sys.implementation.cache_tag in compact.name

    parsed = []
    real_parse = cmudict_corpus._parse_syllable_store
    monkeypatch.setattr(cmudict_corpus, "_parse_syllable_store", lambda f: parsed.append(f) or real_parse(f))
    again = cmudict_corpus.load_syllable_table(corpus)
    assert isinstance(again, SyllableTable) and again.store == first and parsed == []

    # Damaged (truncated, garbage, a valid marshal of something else): parsed and rewritten.
    good = compact.read_bytes()
    for damaged in (good[: len(good) // 2], b"\x00garbage", __import__("marshal").dumps([1, 2])):
        compact.write_bytes(damaged)
        assert cmudict_corpus.load_syllable_table(corpus).store == first
        assert compact.read_bytes() == good
    assert len(parsed) == 3

    # A rewritten corpus (docgates setup --force, another cmudict) is read again.
    corpus.write_text(CORPUS + "DOG 1 D AO1 G\n", encoding="latin-1")
    assert "dog" in cmudict_corpus.load_syllable_table(corpus).store and len(parsed) == 4
    assert "dog" in cmudict_corpus.load_syllable_table(corpus).store and len(parsed) == 4


def test_compact_table_only_beside_docgates_corpus_and_unwritable_ones_still_work(tmp_path):
    foreign = corpus_folder(tmp_path / "nltk-own", stamp=False)  # e.g. nltk.download's copy
    assert cmudict_corpus.load_syllable_table(foreign / "cmudict")["cat"] == SyllableTable.PHONES[1]
    assert list(foreign.iterdir()) == [foreign / "cmudict"]

    # Neither readable nor writable (a folder in its place: that fails even for root).
    folder = corpus_folder(tmp_path / "docgates")
    cmudict_corpus._compact_path(folder / "cmudict").mkdir()
    for _ in range(2):
        assert cmudict_corpus.load_syllable_table(folder / "cmudict")["read"] == SyllableTable.PHONES[1]


def test_setup_writes_the_compact_table(tmp_path, monkeypatch):
    import nltk

    monkeypatch.setattr(nltk.data, "path", list(nltk.data.path))
    monkeypatch.setenv(cmudict_corpus.ENV_DATA_DIR, str(tmp_path / "nltk"))
    cmudict_corpus.install()
    corpus = tmp_path / "nltk" / "corpora" / "cmudict" / "cmudict"
    compact = cmudict_corpus._compact_path(corpus)
    assert compact.is_file()
    table = cmudict_corpus.load_syllable_table(corpus)
    assert len(table.store) > 120_000 and table["abbreviation"] == SyllableTable.PHONES[5]
    assert table.store == cmudict_corpus.load_syllable_table(corpus, compact=False).store


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


NLTK_LEFT_UNLOADED = r"""
import json, sys
from docgates.core.readability_scoring import Scorer, analyse_html
text = "We ship every change with a deploy script. It runs the whole test suite first. " * 8
scorer = Scorer("en_US")
analysis = analyse_html(scorer, "<p>" + text + "</p>", text, 1, 10).to_dict()
loaded_while_scoring = sorted(name for name in sys.modules if name.split(".")[0] == "nltk")
from textstat.backend.utils import _get_cmudict  # textstat's own lookup holds the stand-in
import nltk  # anyone's import afterwards is the real module...
print(json.dumps({
    "analysis": analysis,
    "loaded_while_scoring": loaded_while_scoring,
    "real_after_import": type(nltk).__name__ == "module" and hasattr(nltk, "__version__"),
    # ...and the stand-in textstat holds reads from that same module.
    "stand_in_forwards": _get_cmudict.nltk.data is nltk.data,
}))
"""


def test_scoring_never_loads_nltk_yet_textstats_own_lookup_still_reaches_it():
    # NLTK costs a scoring process a fifth of a second and 30 MiB, and docgates hands textstat
    # the dictionary another way; so it stays unloaded until someone reads from it.
    done = subprocess.run(
        [sys.executable, "-c", NLTK_LEFT_UNLOADED], capture_output=True, text=True, env=base_env(), timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["loaded_while_scoring"] == []
    assert result["analysis"]["words"] == 120 and result["analysis"]["flesch_reading_ease"] is not None
    assert result["real_after_import"] and result["stand_in_forwards"]


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
