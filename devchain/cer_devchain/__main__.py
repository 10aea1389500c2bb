"""Entry point for ``python -m cer_devchain``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
