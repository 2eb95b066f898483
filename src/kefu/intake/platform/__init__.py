"""A generic channel for IM platforms and marketplaces (QQ / WeChat / shop-platform style)."""
