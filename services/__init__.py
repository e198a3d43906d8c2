"""The three Stegvis services and the `stegvis` command that runs them."""
