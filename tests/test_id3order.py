"""CHAP frames in time order in the tag (ffmpeg lists chapters in the order of their frames)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, TXXX, CTOCFlags

from narrate.id3order import order_chapters

AUDIO = b"\xff\xfb\x90\x64" + bytes(400)  # what follows the tag must not move


def _raw_chapter_ids(path: Path) -> list[str]:
    """CHAP element ids in the order their frames sit in the file."""
    data = path.read_bytes()
    ids = []
    at = data.find(b"CHAP")
    while at != -1:
        ids.append(data[at + 10 : data.index(b"\x00", at + 10)].decode())
        at = data.find(b"CHAP", at + 4)
    return ids


@pytest.mark.parametrize("version", [3, 4])
def test_chapter_frames_are_rewritten_in_time_order(tmp_path: Path, version: int) -> None:
    path = tmp_path / "x.mp3"
    path.write_bytes(AUDIO)
    # Titles whose lengths do not follow time, and ids past chp9 (chp10 sorts before chp2).
    titles = [f"{'x' * ((7 * i) % 13 + 1)} {i}" for i in range(12)]
    ids = [f"chp{i}" for i in range(12)]
    tags = ID3()
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=ids, sub_frames=[TIT2(encoding=3, text="Chapters")]))  # fmt: skip
    for i, (element, title) in enumerate(zip(ids, titles, strict=True)):
        tags.add(CHAP(element_id=element, start_time=i * 1000, end_time=i * 1000 + 999,
                      sub_frames=[TIT2(encoding=3, text=title)]))  # fmt: skip
    tags.add(TXXX(encoding=3, desc="AI disclosure", text="synthetic"))
    # Frames over 127 bytes, whose sizes v2.4 writes syncsafe (v2.3 plainly): they must be
    # stepped over right to find the chapters after them.
    tags.add(TXXX(encoding=3, desc="transcript", text="word " * 4000))
    tags.add(
        APIC(encoding=3, mime="image/png", type=3, desc="Cover", data=b"\x89PNG" + bytes(9_996))
    )
    if version == 3:
        tags.update_to_v23()
    tags.save(str(path), v2_version=version)
    assert _raw_chapter_ids(path) != ids, "mutagen's own order is by size: the case to mend"
    before = path.read_bytes()

    order_chapters(path)

    after = path.read_bytes()
    assert _raw_chapter_ids(path) == ids
    assert len(after) == len(before) and after.endswith(AUDIO)
    read = ID3(path)
    assert read.version[1] == version
    assert [str(read[f"CHAP:{e}"].sub_frames["TIT2"]) for e in ids] == titles
    assert [read[f"CHAP:{e}"].start_time for e in ids] == [i * 1000 for i in range(12)]
    assert str(read["TXXX:AI disclosure"]) == "synthetic"
    assert len(read.getall("APIC")[0].data) == 10_000
    order_chapters(path)  # in order already: untouched
    assert path.read_bytes() == after


def test_a_file_without_a_tag_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "x.mp3"
    path.write_bytes(AUDIO)
    order_chapters(path)
    assert path.read_bytes() == AUDIO
