"""Outgoing webhooks: signed HTTP POSTs of the documented stream events (docs/webhooks.md)."""
