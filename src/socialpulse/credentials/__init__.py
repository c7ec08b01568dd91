"""Platform credentials of tracked accounts (OAuth user tokens), kept out of every API shape."""
