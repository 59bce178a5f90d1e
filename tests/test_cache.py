"""The segment cache: keys, hits, eviction, concurrent writers, and what re-rendering costs."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from conftest import EXAMPLE

import narrate
from narrate.cache import ClipStore, segment_key
from narrate.config import Config
from narrate.model import Clip, WordMark


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
        store.put(key, _clip())
        meta = Path(store.put(key, _clip()).path).with_suffix(".json")
        os.utime(meta, (time.time() - 100 + i, time.time() - 100 + i))
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
