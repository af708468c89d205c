"""The outreach REST API (DRF), one module per noun; every endpoint is in the OpenAPI schema."""
