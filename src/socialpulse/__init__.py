"""socialpulse: self-hosted tracking and analytics of social-media accounts and posts."""

__version__ = "0.1.0"
