"""Spanish dates: "7 de diciembre de 2026"; months in lower case, also when shortened
("7 dic 2026": Django's "M" capitalises, "b" does not)."""

DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = "j b Y"
MONTH_DAY_FORMAT = "j b"
YEAR_MONTH_FORMAT = "b Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
