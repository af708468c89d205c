"""The outreach pages, one module per noun: parse input, call a service or selector, render."""
