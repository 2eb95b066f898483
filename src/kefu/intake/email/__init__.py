"""Email intake: parsing (any Chinese, Japanese or Korean mail), threading, SMTP in and out, IMAP polling."""
