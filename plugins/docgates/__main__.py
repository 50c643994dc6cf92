import sys

from docgates.cli.main import main

sys.exit(main())
