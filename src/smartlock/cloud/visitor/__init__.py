"""Visitor passwords (A-TEMP): online temp passwords kept on the lock, offline codes."""
