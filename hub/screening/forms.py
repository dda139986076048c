"""Forms of the screening pages. Rules live in hub.screening.services; forms
only turn what was typed into values and show the services' messages."""

# --- Practitioners' forms ------------------------------------------------------

# --- The hub's forms -----------------------------------------------------------
