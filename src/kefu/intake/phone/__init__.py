"""Phone hotline: call records from a telephony system's events or logged by hand."""
