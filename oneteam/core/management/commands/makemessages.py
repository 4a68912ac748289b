"""``makemessages`` that also extracts ``_l("…")`` and ``_r("…")``.

Modules that need both ``gettext`` and ``gettext_lazy`` import the latter as
``_l`` (flow declarations, API schemas); xgettext only knows Django's own
names, so without this those strings would never reach the catalogs and
English readers would see them in Chinese (docs/development.md, "Languages").
``_r`` (``oneteam.core.i18n``) is gettext in the installation's language, for
texts that are kept.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l", "--keyword=_r"]
