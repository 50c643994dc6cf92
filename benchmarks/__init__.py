"""``make bench``: docgates measured against the bare build and against its peers."""
