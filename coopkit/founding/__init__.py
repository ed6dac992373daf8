"""The founding journey: a step catalogue that teaches, saved answers, sign-offs, progress."""
