"""Management commands of the dashboards."""
