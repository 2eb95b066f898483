"""kefu 客服 — a self-hostable, Chinese-first customer service platform."""

__version__ = "0.1.0"
