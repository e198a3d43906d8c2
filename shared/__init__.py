"""Code shared by the Stegvis services: codes, event schemas, settings and plumbing."""
