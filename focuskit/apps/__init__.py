"""What each audience opens: pages composed from the store, analysis and plots."""
