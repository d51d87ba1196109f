"""Meeting reminders: sign-up with double opt-in, database-driven sending, notices.

Layout: `services.py` (writes), `selectors.py` (reads), `dispatch.py` (claiming
due rows and sending a claimed batch), `messages.py` (what each message says),
`ics.py` (the calendar attachment), `ratelimit.py`, `addresses.py`, `tasks.py`
(thin Celery wrappers), `views.py`, `forms.py`, `urls.py`. See docs/reminders.md.
"""
