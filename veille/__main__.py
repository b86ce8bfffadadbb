"""`python -m veille`: the command line."""
from veille.cli import main

raise SystemExit(main())
