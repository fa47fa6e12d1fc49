"""``python -m helpers`` is the same as the ``mhsw`` command."""

from helpers.cli import main

raise SystemExit(main())
