"""Report definitions and builds arrive with the committee document; nothing is stored yet."""
