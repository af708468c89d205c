"""Every write of outreach work, one module per noun, one function per use case."""
