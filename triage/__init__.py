"""triage: offline forensic triage of disk images for darknet-market evidence."""

__version__ = "0.1.0"
