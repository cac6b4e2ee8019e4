"""The Waiter: the Kitchen's consumer, a ``requests`` client."""
