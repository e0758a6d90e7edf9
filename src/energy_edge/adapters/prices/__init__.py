"""Price sources (the domain's `PriceSource` port): day-ahead prices from outside."""
