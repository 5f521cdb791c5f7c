"""The embedded practice account (``sesfix demo``): scenarios, practice runs, records."""
