"""One-off generators: axis packs, test fixtures, screenshots."""
