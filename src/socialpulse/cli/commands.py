"""Commands over the tracking and refresh services (track, refresh, stats)."""
