"""Tor artefacts: Tor Browser, tor's state and torrc, onion services and onion addresses."""

from triage.extractors.tor.extractor import TorExtractor

__all__ = ["TorExtractor"]
