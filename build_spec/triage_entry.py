"""Entry script of the frozen executable: the ``triage`` command line."""

import multiprocessing
import sys

if __name__ == "__main__":
    # Spawned scan workers re-run this executable; freeze_support() turns them into workers.
    multiprocessing.freeze_support()
    from triage.cli import main

    sys.exit(main())
