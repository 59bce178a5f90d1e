"""Stage 5: spoken segments → clips of speech, one per segment, through an engine.

Quoted speech takes the profile's quote voice; everything else the narrator's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict

from .cache import Store, segment_key
from .engines import Engine
from .errors import SynthesisError
from .model import Segment, StoredClip
from .voices import VoiceProfile


def synthesize(
    segments: Iterable[Segment],
    profile: VoiceProfile,
    engine: Engine,
    store: Store,
    lexicon_version: str = "",
) -> Iterator[StoredClip]:
    """Yield one stored clip per segment, in order, synthesizing only what ``store`` lacks.

    The key covers the spoken text, the engine and its version, the voice settings and the
    lexicon version, so a changed lexicon or engine upgrade never reuses stale audio.
    """
    for segment in segments:
        voice = profile.quote if segment.quoted else profile.narrator
        text = segment.spoken or segment.text
        key = segment_key(
            text,
            engine=engine.name,
            engine_version=engine.version,
            voice=asdict(voice),
            lexicon=lexicon_version,
        )
        stored = store.get(key)
        if stored is not None:
            yield stored
            continue
        try:
            clip = engine.synthesize(text, voice)
        except SynthesisError:
            raise
        except Exception as exc:  # an engine's own failure, translated at the stage boundary
            raise SynthesisError(
                f"Engine '{engine.name}' failed on segment {segment.index + 1} ({exc})."
            ) from exc
        yield store.put(key, clip)
