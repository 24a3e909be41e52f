"""Litestar controllers by audience: organizer, judging, entrant, public, auth."""
