try:
    from sesfix.cli import main
except KeyboardInterrupt:  # Ctrl-C before sesfix has even started: no traceback
    raise SystemExit(130) from None

raise SystemExit(main())
