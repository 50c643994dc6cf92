"""MkDocs adapters: thin plugins that feed the gate core and render its results."""
