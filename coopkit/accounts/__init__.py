"""Accounts: sign-up, log-in, password change and reset."""
