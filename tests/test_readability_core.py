"""Readability core, in process: prose extraction, known scores, thresholds, cache, corpus setup."""

from __future__ import annotations

import json
import sqlite3

import pytest

from docgates.readability import cmudict as cmudict_corpus
from docgates.core.content_cache import ContentCache
from docgates.readability.prose import SourceLocator, extract_prose, split_sentences
from docgates.readability.gate import ReadabilityGate, ThresholdPolicy, ease_label
from docgates.readability.cache import ScoreCache
from docgates.readability.scoring import (
    Analysis, Scorer, analyse_html, textstat_language,
)

MATERIAL_PAGE = """
<h1 id="deploy">Deploy<a class="headerlink" href="#deploy" title="Permanent link">&para;</a></h1>
<p>Run <code>make deploy --with-extraordinarily-long-flag</code> to ship it.</p>
<div class="admonition warning"><p class="admonition-title">Infrastructural considerations</p>
<p>Check the dashboard first</p></div>
<details class="tip"><summary>Organisational accountability</summary><p>Ask the team.</p></details>
<div class="highlight"><pre><span></span><code>kubectl rollout undo deployment/checkout --namespace=production
</code></pre></div>
<table><thead><tr><th>Environment</th></tr></thead><tbody><tr><td>Authentication infrastructure</td></tr></tbody></table>
<p><img alt="Architectural diagram of heterogeneous environments" src="x.png"></p>
<ul><li>First step<ul><li>nested detail</li></ul></li><li><p>Second step:</p></li></ul>
<p>Notes<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup> end here.</p>
<script>var documentation = "comprehensive";</script>
"""


@pytest.fixture(scope="module")
def english() -> Scorer:
    scorer = Scorer("en_US")
    scorer.warm_up()
    return scorer


def test_prose_keeps_what_readers_read_and_drops_the_rest():
    prose = extract_prose(MATERIAL_PAGE)
    assert prose.blocks == [
        "Deploy.",
        "Run to ship it.",
        "Check the dashboard first.",
        "Ask the team.",
        "First step.",
        "nested detail.",
        "Second step.",
        "Notes end here.",
    ]
    for dropped in ("make", "kubectl", "Infrastructural", "Organisational", "Authentication", "Architectural", "¶", "var"):
        assert dropped not in prose.text


def test_urls_and_addresses_become_one_word():
    prose = extract_prose(
        '<p>Read <a href="https://example.com/a">https://docs.example.com/platform/deploys/rolling-updates.html</a>, '
        "or www.example.org/x, then mail ops@example.com.</p>"
    )
    assert prose.text == "Read link, or link, then mail link."


def test_sentences_split_at_full_stops_before_capitals_only():
    assert split_sentences("Use it, e.g. for tests. Version 1.6 works! Then stop.") == [
        "Use it, e.g. for tests.", "Version 1.6 works!", "Then stop.",
    ]


def test_known_texts_have_known_scores(english):
    # 6 words and 6 syllables per sentence: 206.835 - 1.015*6 - 84.6*1 = 116.145.
    simple = english.analyse(extract_prose("<p>" + "The cat sat on the mat. " * 20 + "</p>"), min_words=100)
    assert (simple.words, simple.sentences) == (120, 20)
    assert simple.flesch_reading_ease == 116.1
    assert simple.grade == -1.4  # 0.39*6 + 11.8*1 - 15.59 = -1.45
    # 5 words, 25 syllables by the CMU dictionary (Pyphen alone counts differently):
    # 206.835 - 1.015*5 - 84.6*5 = -221.24 and 0.39*5 + 11.8*5 - 15.59 = 45.36.
    dense = english.analyse(
        extract_prose("<p>Organizational accountability necessitates comprehensive documentation.</p>"), min_words=1
    )
    assert (dense.flesch_reading_ease, dense.grade) == (-221.2, 45.4)
    assert [ease_label(s) for s in (116.1, 85, 65, 55, 40, -221.2)] == [
        "Very easy", "Easy", "Standard", "Fairly hard", "Hard", "Very hard",
    ]


def test_short_prose_is_counted_but_not_scored(english):
    analysis = english.analyse(extract_prose("<p>Too short to score.</p>"), min_words=100)
    assert analysis == Analysis(words=4)
    assert not analysis.scored


def test_hardest_sentences_come_with_their_source_lines(english):
    body = (
        "# Title\n\nShort words help. Long ones do not.\n\n"
        "Notwithstanding the aforementioned considerations, organisational\n"
        "accountability necessitates [comprehensive](https://example.com) documentation of\n"
        "infrastructural modifications.\n\nThe cat sat on the mat today.\n"
    )
    html = (
        "<h1>Title</h1><p>Short words help. Long ones do not.</p><p>Notwithstanding the aforementioned "
        'considerations, organisational accountability necessitates <a href="https://example.com">comprehensive</a> '
        "documentation of infrastructural modifications.</p><p>The cat sat on the mat today.</p>"
    )
    analysis = analyse_html(english, html, body, body_line=5, min_words=1)
    hardest = analysis.hardest
    assert hardest[0]["text"].startswith("Notwithstanding the aforementioned")
    assert hardest[0]["line"] == 9  # body line 5 of the file is "# Title"
    assert hardest[1] == {"text": "The cat sat on the mat today.", "line": 13, "words": 7, "grade": 0.6}
    # Sentences under five words are fragments, not what a writer should rework.
    assert all(entry["words"] >= 5 for entry in hardest)


def test_source_locator_follows_source_order():
    locator = SourceLocator("Run the tests.\n\nThen run the tests again.\nRun the tests.\n", first_line=1)
    assert locator.locate("Run the tests.") == 1
    assert locator.locate("Then run the tests again.") == 3
    assert locator.locate("Run the tests.") == 4
    assert locator.locate("Words that are nowhere.") is None


def test_languages_get_their_own_textstat_instance():
    assert textstat_language("en") == "en_US"
    assert textstat_language("pt-BR") is None
    assert textstat_language("de") == "de"
    german, english = Scorer("de"), Scorer("en_US")
    text = "<p>" + "Die Katze schläft auf dem warmen Sofa im Wohnzimmer. " * 12 + "</p>"
    scores = [s.analyse(extract_prose(text), min_words=10).flesch_reading_ease for s in (german, english)]
    assert scores[0] != scores[1]  # Amstad's formula for German, Flesch's for English


def test_thresholds_default_then_folders_in_order_then_type():
    policy = ThresholdPolicy({
        "default": {"min_ease": 40},
        "folders": {"runbooks/**": {"min_ease": 60, "max_grade": 9}, "runbooks/legacy/": {"min_ease": None}},
        "types": {"runbook": {"max_grade": 11}},
    })
    assert policy.for_page("guide.md", None).__dict__ == {"min_ease": 40.0, "max_grade": 14.0, "sources": ("default",)}
    strict = policy.for_page("runbooks/deploy.md", "howto")
    assert (strict.min_ease, strict.max_grade) == (60.0, 9.0)
    relaxed = policy.for_page("runbooks/legacy/old.md", "runbook")
    assert (relaxed.min_ease, relaxed.max_grade) == (None, 11.0)
    assert relaxed.sources == ("default", "folders['runbooks/**']", "folders['runbooks/legacy/']", "types.runbook")
    assert relaxed.problems(ease=5.0, grade=11.0) == []
    assert strict.problems(ease=50.0, grade=10.0) == [
        "Flesch Reading Ease 50 (Fairly hard) is below 60", "grade level 10 is above 9",
    ]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"thresholds": {"defaults": {}}}, "thresholds: unknown key 'defaults'"),
        ({"thresholds": {"types": {"adr": {"min_easy": 3}}}}, "thresholds.types.adr: unknown key 'min_easy'"),
        ({"thresholds": {"default": {"max_grade": "ten"}}}, "thresholds.default.max_grade: expected a number or null"),
        ({"thresholds": {"folders": ["runbooks/**"]}}, "thresholds.folders: expected a mapping"),
        ({"min_words": -1}, "min_words: expected a whole number from 0"),
        ({"hardest": 9}, "hardest: expected a whole number from 0 to 5"),
        ({"exclude": "changelog.md"}, "exclude: expected a list"),
    ],
)
def test_bad_options_are_named(options, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace("[", r"\[")):
        ReadabilityGate(options)


def test_score_cache_is_bounded_and_keeps_recent_entries(tmp_path):
    path = tmp_path / "cache.sqlite"
    first = ScoreCache(path, limit=3)
    for key in "abcd":
        first.put(key, Analysis(words=len(key)))
    first.save()
    assert ScoreCache(path).stored() == 4  # one run's own entries are all kept
    second = ScoreCache(path, limit=3)
    assert second.get("d") == Analysis(words=1) and second.get("z") is None
    second.put("e", Analysis(words=2))
    second.save()
    with sqlite3.connect(path) as db:
        kept = sorted(key for (key,) in db.execute("SELECT key FROM entries"))
    assert len(kept) == 3 and {"d", "e"} <= set(kept)  # used this run, then one of the rest
    reader = ScoreCache(path)
    assert reader.get("e") == Analysis(words=2)
    reader.close()  # nothing new: the file is not written
    assert ScoreCache(path).stored() == 3
    path.write_text("{not json")
    broken = ScoreCache(path)
    assert broken.get("d") is None
    broken.put("f", Analysis(words=3))
    broken.save()  # a damaged file is replaced
    assert ScoreCache(path).get("f") == Analysis(words=3)


def test_score_cache_of_another_version_is_empty_and_replaced(tmp_path):
    path = tmp_path / "cache.sqlite"
    old = ContentCache(path, version="old")
    old.put("k", {"v": 1})
    old.save()
    new = ContentCache(path, version="new")
    assert new.get("k") is None and new.misses == 1
    new.put("j", {"v": 2})
    new.save()
    assert ContentCache(path, version="new").stored() == 1
    assert ContentCache(path, version="old").get("k") is None


def test_a_cache_that_cannot_be_written_costs_speed_never_the_build(tmp_path):
    folder = tmp_path / "cache"
    folder.write_text("a file where the folder should be")
    cache = ContentCache(folder / "scores.sqlite", version=1)
    cache.put("k", {"v": 1})
    cache.close()
    assert cache.get("k") is None


def test_nltk_format_conversion_keeps_variants_and_drops_comments():
    text, entries = cmudict_corpus.to_nltk_format(
        "aalborg AO1 L B AO0 R G # place, danish\nread R EH1 D\nread(2) R IY1 D\n\n"
    )
    assert entries == 3
    assert text == "AALBORG 1 AO1 L B AO0 R G\nREAD 1 R EH1 D\nREAD 2 R IY1 D\n"


def test_setup_writes_once_then_is_a_fast_no_op(tmp_path, monkeypatch):
    import nltk

    monkeypatch.setattr(nltk.data, "path", list(nltk.data.path))
    monkeypatch.setenv(cmudict_corpus.ENV_DATA_DIR, str(tmp_path / "nltk"))
    first = cmudict_corpus.install()
    assert first.changed and first.data_dir == tmp_path / "nltk" and first.entries > 130_000
    corpus = tmp_path / "nltk" / "corpora" / "cmudict" / "cmudict"
    modified = corpus.stat().st_mtime_ns

    def convert_again() -> str:
        raise AssertionError("a current corpus was read and converted again")

    # The no-op reads only the stamp: the 3.6 MB source is neither read nor converted.
    with monkeypatch.context() as patched:
        patched.setattr(cmudict_corpus, "_source_text", convert_again)
        again = cmudict_corpus.install()
    assert not again.changed and again.entries == first.entries
    assert corpus.stat().st_mtime_ns == modified
    assert cmudict_corpus.verify() == str(corpus.parent)
    # A truncated file (an interrupted copy) is detected and rewritten.
    corpus.write_text("ABBREVIATION 1 AH0\n")
    assert cmudict_corpus.install().changed


def test_setup_replaces_an_older_format_and_its_leftovers(tmp_path, monkeypatch):
    import nltk

    monkeypatch.setattr(nltk.data, "path", list(nltk.data.path))
    monkeypatch.setenv(cmudict_corpus.ENV_DATA_DIR, str(tmp_path / "nltk"))
    corpus_dir = cmudict_corpus.install().data_dir / cmudict_corpus.CORPUS
    stamp = corpus_dir / cmudict_corpus.STAMP_NAME
    # What format 1 left: its stamp, and a syllable table docgates no longer reads.
    stamp.write_text(json.dumps({**json.loads(stamp.read_text()), "format": 1}), encoding="utf-8")
    leftover = corpus_dir / "docgates-syllables.cpython-311.marshal"
    leftover.write_bytes(b"old table")
    assert cmudict_corpus.install().changed
    assert not leftover.exists()
    assert json.loads(stamp.read_text())["format"] == cmudict_corpus.FORMAT_VERSION
    assert sorted(p.name for p in corpus_dir.iterdir()) == ["LICENSE", "README", "cmudict", stamp.name]


def test_read_ahead_reads_what_the_latest_run_used_and_the_rest_from_the_file(tmp_path):
    path = tmp_path / "cache.sqlite"
    first = ContentCache(path, version=1)
    for key in "abc":
        first.put(key, {"v": key})
    first.close()
    second = ContentCache(path, version=1)
    assert second.get("a") == {"v": "a"}
    second.put("d", {"v": "d"})
    second.close()  # the latest run used a and d; b and c are older
    reader = ContentCache(path, version=1, read_ahead=True)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM entries WHERE key IN ('a', 'c')")
    # a was read ahead, c was not: it is looked up in the file, where it is gone now.
    assert reader.get("a") == {"v": "a"} and reader.get("c") is None
    assert reader.get("b") == {"v": "b"} and reader.get("d") == {"v": "d"}
    # What was read ahead is dropped once asked for: the file answers again.
    assert reader.get("a") is None
    assert (reader.hits, reader.misses) == (3, 2)
    path.write_text("{not json")
    broken = ContentCache(path, version=1, read_ahead=True)  # a damaged file: an empty cache, as without
    assert broken.get("b") is None
