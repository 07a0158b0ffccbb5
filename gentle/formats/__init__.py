"""Date and time formats per language (FORMAT_MODULE_PATH in gentle/settings.py).

Each language has one long and one short date, and one time of day; the date-times and the
dates without a year are made from them. Templates name them and never spell a format out:

* ``{{ d|date:"DATE_FORMAT" }}``: a day on its own line or in a sentence (7 December 2026);
* ``{{ d|date:"SHORT_DATE_FORMAT" }}``: a day in a list or a table (7 Dec 2026);
* ``{{ d|date:"MONTH_DAY_FORMAT" }}``: a day of the coming weeks (7 Dec);
* ``{{ d|date:"YEAR_MONTH_FORMAT" }}``: a month (Dec 2026);
* ``{{ d|date:"TIME_FORMAT" }}``: a time of day (09:30);
* ``DATETIME_FORMAT`` and ``SHORT_DATETIME_FORMAT``: a long or short date and its time;
* a moment of the coming or past weeks, where the year goes without saying:
  ``{{ d|date:"MONTH_DAY_FORMAT" }}, {{ d|date:"TIME_FORMAT" }}`` (19 Oct, 10:00);
* with its weekday: ``{{ d|date:"l" }}, {{ d|date:"DATETIME_FORMAT" }}`` (or ``"D"`` before a
  short one: Mon 16 Nov, 10:00).

Names a module leaves out (the input formats) come from Django's formats for the language.
tests/test_dates.py checks that templates use only these names.
"""
