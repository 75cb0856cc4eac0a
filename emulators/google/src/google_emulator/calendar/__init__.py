"""Calendar v3 REST: calendarList, calendars, events, freebusy."""
