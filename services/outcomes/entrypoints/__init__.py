"""How events reach outcomes: the stream subscriber."""
