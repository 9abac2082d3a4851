# Dates as Swedish in Finland writes them: 15.9.2026, no leading zeros.
DATE_FORMAT = "j.n.Y"
SHORT_DATE_FORMAT = "j.n.Y"
DATETIME_FORMAT = "j.n.Y G.i"
