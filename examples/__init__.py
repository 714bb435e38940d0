"""Sample lead files and the generator of the real-shaped dealer export."""
