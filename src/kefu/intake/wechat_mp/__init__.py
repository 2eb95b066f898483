"""WeChat Official Account (公众号) adapter: callbacks in (signature, safe-mode AES, MsgId
deduplication), customer-service messages out (48 h window, shared access token).  It only calls
the domain actions, like the email and widget edges.  See docs/channels.md."""
