"""``python -m service``: the same as the ``article-qa`` command."""

from service.cli import main

main()
