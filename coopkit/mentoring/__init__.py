"""Mentoring: cohorts, mentor assignments, comments and the mentor dashboard."""
