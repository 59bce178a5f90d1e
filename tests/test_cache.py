"""The segment cache: keys, hits, eviction, concurrent writers, and what re-rendering costs."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLE

import narrate
from narrate.audio import decode
from narrate.cache import ClipStore, Spool, segment_key
from narrate.config import Config
from narrate.engines.silent import SilentEngine
from narrate.model import Clip, WordMark
from narrate.voices import Voice


def _clip(n: int = 1000) -> Clip:
    return Clip(b"\x01\x02" * n, 22050, (WordMark(0, 5, 10),))


def test_key_covers_text_engine_version_voice_and_lexicon() -> None:
    base = {"engine": "espeak", "engine_version": "1.52", "voice": {"id": "en-us"}, "lexicon": "a"}
    key = segment_key("Hello.", **base)
    assert key == segment_key("Hello.", **base)
    for change in ({"engine_version": "1.53"}, {"voice": {"id": "en-gb"}}, {"lexicon": "b"}):
        assert segment_key("Hello.", **{**base, **change}) != key
    assert segment_key("Hello!", **base) != key


def test_put_then_get_round_trips(tmp_path: Path) -> None:
    store = ClipStore(tmp_path)
    stored = store.put("ab" * 32, _clip())
    again = store.get("ab" * 32)
    assert again == stored and again.read() == _clip().pcm
    assert again.words == (WordMark(0, 5, 10),)
    assert (store.hits, store.misses) == (1, 0)
    assert store.get("cd" * 32) is None and store.misses == 1


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    store = ClipStore(tmp_path)
    stored = store.put("ab" * 32, _clip())
    Path(stored.path).write_bytes(b"\x00" * 10)  # truncated by a crash or a full disk
    assert store.get("ab" * 32) is None


def test_eviction_drops_least_recently_used_first(tmp_path: Path) -> None:
    store = ClipStore(tmp_path, max_bytes=5000)
    keys = [f"{i:02d}" * 32 for i in range(4)]
    for i, key in enumerate(keys):
        entry = Path(store.put(key, _clip()).path)
        os.utime(entry, (time.time() - 100 + i, time.time() - 100 + i))
    store.get(keys[0])  # a hit makes the oldest entry the newest
    removed = store.evict()
    assert removed == 2
    assert store.get(keys[0]) is not None and store.get(keys[3]) is not None
    assert store.get(keys[1]) is None and store.get(keys[2]) is None
    assert store.size_bytes() <= 5000


def test_concurrent_writers_never_leave_a_torn_entry(tmp_path: Path) -> None:
    store = ClipStore(tmp_path)
    key = "ee" * 32
    errors: list[BaseException] = []

    def write(n: int) -> None:
        # Workers rendering the same segment write the same audio under the same key (the
        # key covers everything that shapes the sound); other segments go to other keys.
        try:
            for i in range(20):
                ClipStore(tmp_path).put(key, _clip(1000))
                ClipStore(tmp_path).put(f"{n:02d}{i:02d}" * 16, _clip(500 + n))
                found = ClipStore(tmp_path).get(key)
                assert found is not None and len(found.read()) == 2 * found.n_samples
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    final = store.get(key)
    assert final is not None and len(final.read()) == 2 * final.n_samples
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()], "temporary files left behind"


def test_rerendering_an_edited_article_synthesizes_only_the_changed_sentence(
    tmp_path: Path,
) -> None:
    config = Config(cache_dir=str(tmp_path / "cache"), artwork_from_page=False)
    first = narrate.render(str(EXAMPLE), tmp_path / "a.mp3", config)
    assert first.synthesized == first.segment_count and first.reused == 0
    edited = EXAMPLE.read_text(encoding="utf-8").replace(
        "Yet, progress has been limited.", "Yet, progress has been slow."
    )
    page = tmp_path / "edited.html"
    page.write_text(edited, encoding="utf-8")
    second = narrate.render(str(page), tmp_path / "b.mp3", config)
    assert second.synthesized == 1
    assert second.reused == second.segment_count - 1
    # Each part is levelled on its own, so only the edited one is encoded again.
    assert first.parts == second.parts > 2
    assert first.encoded_parts == first.parts and second.encoded_parts == 1
    timing = json.loads((tmp_path / "b.json").read_text())
    assert any("slow" in s["text"] for s in timing["segments"])


def test_without_the_cache_nothing_is_kept(tmp_path: Path) -> None:
    config = Config(cache=False, cache_dir=str(tmp_path / "cache"), voice="silent")
    narrate.render(str(EXAMPLE), tmp_path / "a.mp3", config)
    assert not (tmp_path / "cache").exists()


def test_an_entry_is_one_file_and_a_part_needs_no_side_file(tmp_path: Path) -> None:
    store = ClipStore(tmp_path)
    stored = store.put("ab" * 32, _clip())
    part = tmp_path / "part.mp3"
    part.write_bytes(b"\xff\xfb" * 100)
    kept = store.put_file("ac" * 32, part)
    assert sorted(p.name for p in (tmp_path / "ab").iterdir()) == ["ab" * 32 + ".clip"]
    assert sorted(p.name for p in (tmp_path / "ac").iterdir()) == ["ac" * 32 + ".mp3"]
    assert store.get_file("ac" * 32) == kept and kept.read_bytes() == b"\xff\xfb" * 100
    assert store.get_file("ad" * 32) is None
    # The PCM is read from after the header, exactly the clip's length.
    assert stored.offset > 0 and stored.read() == _clip().pcm


def test_eviction_sees_every_entry_and_clears_what_a_dead_writer_left(tmp_path: Path) -> None:
    store = ClipStore(tmp_path, max_bytes=3000)
    old = tmp_path / "ab" / ("ab" * 32 + ".pcm")  # the layout before CACHE_FORMAT 2
    old.parent.mkdir()
    old.write_bytes(bytes(4000))
    stale = tmp_path / "ab" / ".left-by-a-crash"
    stale.write_bytes(bytes(10))
    writing = tmp_path / "ab" / ".being-written"
    writing.write_bytes(bytes(10))
    hours_ago = time.time() - 7200
    for path in (old, stale):
        os.utime(path, (hours_ago, hours_ago))
    store.put("cd" * 32, _clip())
    assert store.evict() == 1
    assert not old.exists() and not stale.exists()
    assert writing.exists(), "a file another process is writing now is not touched"
    assert store.get("cd" * 32) is not None


def test_a_spool_keeps_a_render_s_clips_in_one_file(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    clips = [Clip(bytes([n, 0]) * (100 + n), 22050) for n in range(3)]
    stored = [spool.put(f"{n:02d}" * 32, clip) for n, clip in enumerate(clips)]
    assert len({s.path for s in stored}) == 1 and len({s.identity for s in stored}) == 3
    assert [s.read() for s in stored] == [c.pcm for c in clips]
    assert spool.get("01" * 32) == stored[1] and spool.get("09" * 32) is None
    assert (spool.hits, spool.misses) == (1, 1)
    part = tmp_path.parent / f"{tmp_path.name}-part.mp3"
    part.write_bytes(b"mp3")
    kept = spool.put_file("aa" * 32, part)
    assert kept.parent == tmp_path and spool.get_file("aa" * 32) == kept and not part.exists()
    spool.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aa" * 32 + ".mp3", "clips.pcm"]


def _tones(self: SilentEngine, text: str, voice: Voice) -> Clip:
    """A tone per sentence, its pitch from the text: audio that is the same at every call
    (eSpeak NG's length and phase vary by a few samples from call to call)."""
    timed = _silence(self, text, voice)
    t = np.arange(timed.n_samples)
    pitch = 150 + int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) % 300
    fade = np.minimum(1.0, np.minimum(t, timed.n_samples - t) / 2000)
    tone = np.sin(2 * np.pi * pitch * t / timed.sample_rate) * fade * 12000
    return Clip(tone.astype("<i2").tobytes(), timed.sample_rate, timed.words)


_silence = SilentEngine.synthesize


def test_a_render_without_the_cache_is_the_render_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The spool keeps a render's clips in one file: every clip must be read from its own
    # place in it, and parts must not be mistaken for each other (their keys name the clips).
    monkeypatch.setattr(SilentEngine, "synthesize", _tones)
    cached = Config(cache_dir=str(tmp_path / "cache"), artwork_from_page=False, voice="silent")
    one = narrate.render(str(EXAMPLE), tmp_path / "a.mp3", cached)
    spooled = Config(**{**cached.__dict__, "cache": False})
    two = narrate.render(str(EXAMPLE), tmp_path / "b.mp3", spooled)
    assert one.parts == two.parts > 2 and two.encoded_parts == two.parts
    a, b = (decode(tmp_path / name, 44100) for name in ("a.mp3", "b.mp3"))
    assert len(a) > 2 * 44100 * 60 and a == b
    assert np.abs(np.frombuffer(a, "<i2")).max() > 5000, "tones, not silence"
