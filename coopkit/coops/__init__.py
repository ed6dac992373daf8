"""Co-ops and the people in them: the records every feature reads (co-ops, members,
officers, cohorts, mentors), the permission policy and the shared vocabulary of choices.
The pages and writes of the workspace are in :mod:`coopkit.workspace`."""
