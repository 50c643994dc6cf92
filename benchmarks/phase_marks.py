"""A site hook for counting instructions by phase: each call to ``getppid`` makes callgrind
(run with ``--dump-before=getppid``) write the counts so far and start again, so the dumps
split a build at the points below. Hooks run after the plugins of the same event."""

import os


def on_files(files, config):
    os.getppid()


def on_nav(nav, config, files):
    os.getppid()


def on_env(env, config, files):
    os.getppid()


def on_post_build(config):
    os.getppid()
