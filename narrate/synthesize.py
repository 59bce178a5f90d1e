"""Stage 5: spoken segments → clips of speech, one per segment, through an engine.

Quoted speech takes the profile's quote voice; everything else the narrator's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .engines import Engine
from .errors import SynthesisError
from .model import Clip, Segment
from .voices import VoiceProfile


def synthesize(
    segments: Iterable[Segment], profile: VoiceProfile, engine: Engine
) -> Iterator[Clip]:
    """Yield one clip per segment, in order.

    >>> from narrate.config import Config
    >>> from narrate.engines import get_engine
    >>> from narrate.voices import find_profile
    >>> seg = Segment(index=0, text="Hello.", spoken="Hello.")
    >>> clip = next(synthesize([seg], find_profile("silent"), get_engine("silent", Config())))
    >>> clip.sample_rate
    22050
    """
    for segment in segments:
        voice = profile.quote if segment.quoted else profile.narrator
        text = segment.spoken or segment.text
        try:
            clip = engine.synthesize(text, voice)
        except SynthesisError:
            raise
        except Exception as exc:  # an engine's own failure, translated at the stage boundary
            raise SynthesisError(
                f"Engine '{engine.name}' failed on segment {segment.index + 1} ({exc})."
            ) from exc
        yield clip
