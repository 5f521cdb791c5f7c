from sesfix.cli import main

raise SystemExit(main())
