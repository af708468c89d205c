"""Finding households in crisis and following through: signals, scores, alerts, visits, cases."""
