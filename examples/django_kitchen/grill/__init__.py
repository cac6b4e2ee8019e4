"""The Grill Chef's Django app: steaks in the fridge, and the orders that cook them."""
