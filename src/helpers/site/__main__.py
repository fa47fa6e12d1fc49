"""``python -m helpers.site``: build the course website (see helpers.site)."""

from helpers.site.build import main

raise SystemExit(main())
