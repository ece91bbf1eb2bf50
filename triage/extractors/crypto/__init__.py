"""Cryptocurrency extractor: wallet files and folders, addresses, seeds and keys in text."""

from .extractor import CryptoExtractor

__all__ = ["CryptoExtractor"]
