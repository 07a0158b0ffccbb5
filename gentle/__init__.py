"""Gentle: an open-source platform for Interpersonal Psychotherapy."""

__version__ = "0.1.0"
