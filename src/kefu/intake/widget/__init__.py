"""The embeddable web-chat widget: ``/widget.js``, the chat frame, its WebSocket and uploads."""
