"""Readability scoring in a second process, while the build goes on in the first.

MkDocs renders pages on one core. Scoring a page's prose (the HTML walk, textstat's counts)
costs about a third of rendering it, after textstat has loaded NLTK's CMU dictionary (~1 s and
~80 MiB per process), so on a machine with a spare core the pages that miss the score cache go
to one worker process, which loads it while MkDocs renders, and their results are collected
once every page is rendered. The worker runs the very same code as in-process scoring, so the scores are
identical either way; if the worker cannot start or dies, the pages it did not answer are
scored in-process.

The worker is ``python -m docgates.readability.worker`` talking over its stdin and stdout,
not ``multiprocessing``: a spawned multiprocessing child re-runs the parent's main script,
and a script that builds a site without an ``if __name__ == "__main__"`` guard would then
build it a second time.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger("docgates")

# The folder that holds the docgates package, for the worker's import path.
PACKAGE_PARENT = Path(__file__).resolve().parents[2]


def spare_cores() -> int:
    """Cores this process may use beyond the one the build runs on."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    return max(available - 1, 0)


class ScoringWorker:
    """One worker process scoring pages for one language; ``close()`` ends it."""

    def __init__(self, language: str) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")])))
        self._futures: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._next_id = 0
        self._input_ended = False
        # Its own session: Ctrl-C stops the build, which then ends the worker; the worker
        # never prints a second traceback to the terminal.
        self._process: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-m", "docgates.readability.worker", language],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, start_new_session=True,
        )
        # Writing and reading in threads: the build never blocks on a full pipe, and the
        # worker never blocks on results nobody reads.
        self._writer = threading.Thread(target=self._write, name="docgates-scoring-writer", daemon=True)
        self._reader = threading.Thread(target=self._read, name="docgates-scoring-reader", daemon=True)
        self._writer.start()
        self._reader.start()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def submit(self, html: str, body: str, body_line: int, min_words: int) -> Future:
        """A future of the page's ``Analysis`` as JSON text (None when the worker could not
        score it): a string per page is a fraction of the dict it stands for, and it is the
        very text the score cache stores."""
        return self._submit(PAGE, html, body, body_line, min_words)

    def submit_markdown(self, body: str) -> Future:
        """A future of ``MarkdownEase.analyse(body)`` as JSON text (None when not scored)."""
        return self._submit(MARKDOWN, body)

    def _submit(self, kind: str, *args: Any) -> Future:
        future: Future = Future()
        with self._lock:
            if self._input_ended:
                # Too late for this worker: the caller scores the page itself.
                future.set_result(None)
                return future
            job_id = self._next_id
            self._next_id += 1
            self._futures[job_id] = future
        self._jobs.put((job_id, kind, args))
        return future

    def end_input(self) -> None:
        """No more jobs: the worker exits once it has answered those sent, and its memory
        goes back to the system before anyone calls ``close``."""
        with self._lock:
            if self._input_ended:
                return
            self._input_ended = True
        self._jobs.put(None)

    def _write(self) -> None:
        assert self._process is not None and self._process.stdin is not None
        stream = self._process.stdin
        try:
            while (job := self._jobs.get()) is not None:
                pickle.dump(job, stream, protocol=pickle.HIGHEST_PROTOCOL)
                stream.flush()
        except (OSError, ValueError):
            pass  # the worker is gone; the reader fails what is left
        finally:
            try:
                stream.close()
            except OSError:
                pass

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stream = self._process.stdout
        try:
            while True:
                job_id, result = pickle.load(stream)
                with self._lock:
                    future = self._futures.pop(job_id, None)
                if future is not None:
                    future.set_result(result)
        except Exception:  # EOF or a broken stream: the worker ended
            pass
        with self._lock:
            left, self._futures = list(self._futures.values()), {}
        for future in left:
            future.set_result(None)

    @staticmethod
    def result(future: Future | None) -> str | None:
        return future.result() if future is not None else None

    def close(self) -> None:
        """Ask the worker to finish (after the jobs sent) and wait for it."""
        if self._process is None:
            return
        self.end_input()
        if self._next_id == 0:
            # Started ahead of need and sent nothing (every score was cached): its loading
            # of the dictionary is not worth waiting for.
            self._process.kill()
        self._writer.join()
        self._reader.join()
        if self._process.stdout is not None:
            self._process.stdout.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None


class WorkerShare:
    """The one scoring worker of a build and language, shared by the gates that score (the
    readability gate's pages, the leaderboard's old page versions): each loads NLTK's
    dictionary (~80 MiB), so two at once would double the build's peak memory for no speed a
    two-core machine can use.

    A gate that may send pages ``hold``s the share from ``begin`` and ``let_go``es once it will
    send no more; the worker starts with the first page sent and stops taking pages when the
    last holder lets go, then exits once it has answered. ``submit`` returns None when no
    worker can run (no spare core, it cannot start): the caller scores the page itself.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self.holders = 0
        self.worker: ScoringWorker | None = None
        self._unavailable = False

    @classmethod
    def of(cls, shared: dict[str, Any], language: str) -> "WorkerShare":
        share = shared.get(f"scoring-worker/{language}")
        if not isinstance(share, cls):
            share = shared[f"scoring-worker/{language}"] = cls(language)
        return share

    def hold(self) -> None:
        self.holders += 1

    def let_go(self) -> None:
        self.holders = max(self.holders - 1, 0)
        if self.holders == 0 and self.worker is not None:
            self.worker.end_input()

    def start(self) -> bool:
        """Start the worker ahead of the first page, so it loads the dictionary meanwhile;
        False when no worker can run."""
        return self._started() is not None

    def submit(self, html: str, body: str, body_line: int, min_words: int) -> Future | None:
        worker = self._started()
        return worker.submit(html, body, body_line, min_words) if worker else None

    def submit_markdown(self, body: str) -> Future | None:
        worker = self._started()
        return worker.submit_markdown(body) if worker else None

    def close(self) -> None:
        """Wait for the worker to answer what it was sent and end (when nobody holds it)."""
        if self.worker is not None and self.holders == 0:
            self.worker.close()

    def _started(self) -> ScoringWorker | None:
        if self.worker is None and not self._unavailable:
            if spare_cores() < 1:
                self._unavailable = True
                return None
            try:
                self.worker = ScoringWorker(self.language)
            except OSError as exc:
                log.debug("docgates: no scoring worker (%s); scoring in-process", exc)
                self._unavailable = True
        return self.worker


# -- the worker process ----------------------------------------------------------------------
# Job kinds: a rendered page of the build (the readability gate), or an old version's
# Markdown body (the leaderboard's reading ease).
PAGE = "page"
MARKDOWN = "markdown"


def serve(language: str, jobs: BinaryIO, results: BinaryIO) -> None:
    """Answer each ``(id, kind, args)`` read from ``jobs`` until EOF."""
    from docgates.readability.scoring import Scorer, analyse_html

    scorer = Scorer(language)
    scorer.warm_up()  # now, while the build is still rendering its first pages
    markdown_ease: Any = None
    while True:
        try:
            job_id, kind, args = pickle.load(jobs)
        except EOFError:
            return
        try:
            if kind == MARKDOWN:
                if markdown_ease is None:
                    from docgates.readability.markdown_ease import MarkdownEase

                    markdown_ease = MarkdownEase(language)
                result: str | None = markdown_ease.analyse(*args).to_json()
            else:
                result = analyse_html(scorer, *args).to_json()
        except Exception:
            result = None  # the build scores this one itself and reports what goes wrong
        pickle.dump((job_id, result), results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Results go to the original stdout; anything a library prints goes to stderr instead.
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        serve(sys.argv[1], sys.stdin.buffer, results)
    except Exception:
        sys.exit(1)  # the build notices the closed pipe and scores in-process


if __name__ == "__main__":
    main()
