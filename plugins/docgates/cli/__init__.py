"""The ``docgates`` command line: thin commands over the same core the plugins use."""
