"""The fuzz suite (issue 11): seeded hostile inputs through the real transports; `make fuzz` runs 10,000 per port."""
