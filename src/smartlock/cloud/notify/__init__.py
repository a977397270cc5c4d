"""Notifications (A-NOTIFY): which lock events concern whom, the in-app centre, and
outbound delivery through apprise.
"""
