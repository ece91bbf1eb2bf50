"""Metadata extractor: EXIF of photos (camera, time, GPS) and document authorship.

Each format has its own parser module that works on bytes (``parse_exif``,
``parse_ooxml``, ``parse_odf``, ``parse_ole2``, ``parse_pdf``); ``extractor`` holds the
plug-in class.
"""

from triage.extractors.metadata.extractor import MetadataExtractor

__all__ = ["MetadataExtractor"]
