"""Dashboard panels by subject; ``registry`` lists them all."""
