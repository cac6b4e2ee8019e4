"""The Sous Chef service (the consumer): takes a table's order, gets the steak from the Grill Chef."""
