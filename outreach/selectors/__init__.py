"""Every read of outreach work that views share, already scoped; one module per noun."""
