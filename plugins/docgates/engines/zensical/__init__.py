"""Zensical: it reads ``mkdocs.yml`` but runs no plugin of ours (it drops unknown plugins
without a word), so docgates runs the gates itself, has Zensical build a staged copy of the
docs, and puts the gates' header and generated pages into the pages Zensical wrote."""
