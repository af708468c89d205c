"""Dashboards: panels, rollups, charts, targets and their pages and API.

They only read the outreach core; the core tells them a dong's figures changed through
the ``households.hooks.dong_figures_changed`` hook.
"""
