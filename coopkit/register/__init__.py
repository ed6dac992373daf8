"""The statutory registers: members, share ledger and officers (s.30 of the 2014 Act)."""
