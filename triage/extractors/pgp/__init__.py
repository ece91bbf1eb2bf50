"""PGP / GnuPG extractor: OpenPGP packets, armor, keybox, agent key files, GnuPG homes."""
