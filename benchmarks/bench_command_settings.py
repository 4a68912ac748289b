"""Settings for ``bench_command.py``'s HTTP server: OneTeam's own, with a
benchmark-only URLconf that adds a bare insert view (the baseline measured in
the same run, same server). Selected with ``DJANGO_SETTINGS_MODULE``."""

from oneteam.settings import *  # noqa: F403

ROOT_URLCONF = "bench_command_urls"
