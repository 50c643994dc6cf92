"""docgates: a documentation portal with docs-as-code quality gates.

``docgates.core`` holds the gates and never imports MkDocs, so it can outlive the engine;
``docgates.engines.mkdocs`` adapts it to MkDocs 1.6; ``docgates.cli`` drives it from a shell.
"""

__version__ = "0.1.0"
