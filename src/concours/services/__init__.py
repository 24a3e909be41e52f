"""Use cases, one transaction each. They call domain/ and db/ and write the audit log."""
