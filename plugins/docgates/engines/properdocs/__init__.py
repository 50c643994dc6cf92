"""ProperDocs, the MkDocs 1.6 fork: it loads the docgates plugins through their
``mkdocs.plugins`` entry points, so docgates runs its command line as it runs MkDocs'."""
