"""smartlock: an open smart door lock, from firmware brain to cloud and web app."""

__version__ = "0.1.0"
