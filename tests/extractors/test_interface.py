"""FileView: the extractor-facing view of an entry."""

from __future__ import annotations

import dataclasses

from triage.extractors.interface import FileView


def test_typed_equals_dataclasses_replace_and_keeps_the_original() -> None:
    view = FileView(path="/Users/bob/IMG_1.JPG", name="IMG_1.JPG", size=10, inode="5")
    assert view.extension == "jpg"
    typed = view.typed("image/jpeg", "JPEG image data")
    assert typed == dataclasses.replace(view, mime="image/jpeg", mime_description="JPEG image data")
    assert typed.extension == "jpg"
    assert hash(typed) == hash(dataclasses.replace(view, mime="image/jpeg",
                                                   mime_description="JPEG image data"))
    assert view.mime is None and view.mime_description is None


def test_typed_copy_stays_frozen() -> None:
    typed = FileView(path="/a", name="a", size=1).typed("text/plain")
    try:
        typed.mime = "x"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        return
    raise AssertionError("a typed FileView must stay immutable")
