"""The statutory calendar: obligations and deadlines, done records, reminders, .ics feeds
and the annual return's data sheet. The date arithmetic is in :mod:`.obligations`."""
