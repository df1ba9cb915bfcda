"""Demo data for Velferdsetaten Oslo: seven departments, 49 medarbeidere on the path with
contact persons and recent timesheets, and a waiting list of 30 candidates."""
