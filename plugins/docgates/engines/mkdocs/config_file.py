"""Reading ``mkdocs.yml`` as data, for what needs a key or two before (or without) a build:
MkDocs' own YAML loader, so ``INHERIT``, ``!ENV`` and the tags a config may carry
(``!!python/name:`` for Markdown extensions) read exactly as the build reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ConfigFileError(Exception):
    """The file cannot be read or is not YAML; the message names the file."""


def read_config_file(path: Path) -> dict[str, Any]:
    """The top-level mapping of a MkDocs config file, its ``INHERIT`` followed ({} when the
    file holds no mapping)."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with path.open("rb") as handle:
            data = yaml_load(handle)
    except Exception as exc:  # any YAML, INHERIT or tag problem: the words MkDocs would use
        raise ConfigFileError(f"{path}: cannot read the configuration: {exc}") from None
    return data if isinstance(data, dict) else {}
